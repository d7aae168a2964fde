package dev.airlock.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashesTest {
    /** FIPS 180-2's "abc" test vector. */
    static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void textBytesAndAFileOfTheSameContentHashToTheStandardVector(@TempDir Path dir) throws Exception {
        Path f = Files.write(dir.resolve("abc"), new byte[] {'a', 'b', 'c'});
        assertEquals(ABC, Hashes.sha256Hex("abc"));
        assertEquals(ABC, Hashes.sha256Hex(new byte[] {'a', 'b', 'c'}));
        assertEquals(ABC, Hashes.sha256Hex(f));
        assertEquals(ABC, Hashes.hex(Hashes.sha256("abc")));
    }

    @Test
    void anAlgorithmTheJdkLacksIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> Hashes.digest("NOT-A-DIGEST"));
    }
}
