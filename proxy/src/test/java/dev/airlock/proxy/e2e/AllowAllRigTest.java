package dev.airlock.proxy.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One Airlock with the allow-all gate in front of the fake registry, shared by a test class's tests. */
abstract class AllowAllRigTest {
    @TempDir
    static Path dataDir;
    static AirlockRig rig;

    @BeforeAll
    static void startAirlock() throws Exception {
        rig = AirlockRig.start(dataDir);
    }

    @AfterAll
    static void stopAirlock() {
        if (rig != null) {
            rig.close();
            rig = null;
        }
    }
}
