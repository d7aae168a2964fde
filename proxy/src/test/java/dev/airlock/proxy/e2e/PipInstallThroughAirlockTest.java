package dev.airlock.proxy.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real pip, in a fresh venv, installing through Airlock from the fake upstream index. */
class PipInstallThroughAirlockTest extends AllowAllRigTest {
    @Test
    void pipInstallsTheNewestWheelThroughTheProxy(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        Venv venv = Venv.create(Clients.python().get(), work);

        ClientProcess.Result r = venv.pipInstall(rig.pypiIndex(), PythonFixtures.PROJECT);

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.1.0", venv.eval("import airlock_demo; print(airlock_demo.__version__)"));
        assertTrue(Files.readString(venv.distInfo(PythonFixtures.MODULE, "1.1.0").resolve("WHEEL"))
                .contains("Generator: airlock-e2e-fixtures"), "the wheel, not the sdist, was installed");
        assertTrue(r.output().contains(rig.base()), "pip downloaded from the proxy:\n" + r.output());
    }

    @Test
    void pipBuildsAndInstallsTheSdistWhenBinariesAreRefused(@TempDir Path work) throws Exception {
        Requirements.require(Clients.python().isPresent(), "python3 with venv and ensurepip");
        Venv venv = Venv.create(Clients.python().get(), work);

        ClientProcess.Result r = venv.pipInstall(rig.pypiIndex(), "--no-binary", PythonFixtures.PROJECT,
                PythonFixtures.PROJECT + "==1.0.0");

        assertTrue(r.succeeded(), r::describe);
        assertEquals("1.0.0", venv.eval("import airlock_demo; print(airlock_demo.__version__)"));
        assertTrue(Files.readString(venv.distInfo(PythonFixtures.MODULE, "1.0.0").resolve("WHEEL"))
                .contains("Generator: airlock-e2e-sdist-backend"), "pip built the wheel from the sdist");
        String sdistSha = rig.upstream().pyFile(PythonFixtures.MODULE + "-1.0.0.tar.gz").sha256();
        assertTrue(!rig.filesWithSha256(sdistSha).isEmpty(), "the verified sdist is in Airlock's store");
    }
}
