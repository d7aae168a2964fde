package dev.airlock.proxy.pypi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.List;

/**
 * An upstream project page in PEP 691 terms, whichever format the upstream served. Each file is
 * the upstream's own JSON object (unknown keys kept), with {@code url} made absolute.
 *
 * @param topLevel the upstream's other top-level keys (passed through), without {@code files}
 * @param versions PEP 700 {@code versions}, or empty when the upstream did not list them
 */
public record SimpleProject(String name, List<ObjectNode> files, List<String> versions, ObjectNode topLevel, URI page) {
    public SimpleProject {
        files = List.copyOf(files);
        versions = List.copyOf(versions);
    }
}
