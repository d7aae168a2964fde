package dev.airlock.proxy.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Turns the JDK's "No space left on device" into a {@link StorageFullException} at the write that hit it. */
final class DiskFullAwareStream extends FilterOutputStream {
    DiskFullAwareStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw full(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw full(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } catch (IOException e) {
            throw full(e);
        }
    }

    private static IOException full(IOException e) {
        return StorageFullException.isDiskFull(e)
                ? new StorageFullException("Airlock's data disk is full: cannot store the artifact (" + e.getMessage() + ")", e)
                : e;
    }
}
