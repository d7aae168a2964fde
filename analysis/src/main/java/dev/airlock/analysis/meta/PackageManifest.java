package dev.airlock.analysis.meta;

import dev.airlock.model.Ecosystem;
import java.util.List;
import java.util.Map;

/**
 * What an artifact says about itself.
 *
 * @param ecosystem      npm or pypi, detected or given
 * @param name           declared name (null when no manifest could be read)
 * @param version        declared version
 * @param installScripts npm lifecycle scripts that run on install ({@code preinstall}, {@code install},
 *                       {@code postinstall}, {@code prepare}), in that order
 * @param dependencies   declared dependencies, name to version range ("" when unpinned)
 * @param bin            npm {@code bin} commands, or Python console scripts, name to target
 * @param main           npm {@code main} entry, null for Python
 * @param topLevel       Python top-level modules (from top_level.txt or the tree)
 * @param manifestPath   file the name and version came from
 * @param sources        every manifest file that declared a name/version, path to "name@version"
 */
public record PackageManifest(Ecosystem ecosystem, String name, String version, Map<String, String> installScripts,
                              Map<String, String> dependencies, Map<String, String> bin, String main,
                              List<String> topLevel, String manifestPath, Map<String, String> sources) {
    public PackageManifest {
        installScripts = Map.copyOf(installScripts);
        dependencies = Map.copyOf(dependencies);
        bin = Map.copyOf(bin);
        topLevel = List.copyOf(topLevel);
        sources = Map.copyOf(sources);
    }
}
