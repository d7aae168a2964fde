package dev.airlock.sandbox;

import dev.airlock.config.SandboxConfig;
import dev.airlock.model.Ecosystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Seconds per artifact through {@link DockerSandbox#run} (container create, start, both phases,
 * collection, removal). Driven by {@code bench/sandbox/run.sh}.
 * Usage: SandboxBenchmark RUNTIME MANIFEST, where each manifest line is {@code group<TAB>npm|pypi<TAB>path};
 * the group {@code fixtures} is generated here into the manifest's directory.
 */
public final class SandboxBenchmark {
    private SandboxBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String runtime = args[0];
        Path manifest = Path.of(args[1]);
        Map<String, List<String[]>> groups = new LinkedHashMap<>();
        Path fixtures = Files.createDirectories(manifest.getParent().resolve("fixtures"));
        List<String[]> generated = new ArrayList<>();
        generated.add(new String[] {"npm", SandboxFixtures.maliciousNpm(fixtures).toString()});
        generated.add(new String[] {"pypi", SandboxFixtures.maliciousSdist(fixtures).toString()});
        generated.add(new String[] {"npm", SandboxFixtures.harmlessNpm(fixtures).toString()});
        generated.add(new String[] {"pypi", SandboxFixtures.importTimeWheel(fixtures).toString()});
        generated.add(new String[] {"npm", SandboxFixtures.forkBombNpm(fixtures).toString()});
        generated.add(new String[] {"npm", SandboxFixtures.memoryHogNpm(fixtures).toString()});
        groups.put("fixtures", generated);
        for (String line : Files.readAllLines(manifest)) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                groups.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new String[] {f[1], f[2]});
            }
        }
        SandboxConfig config = new SandboxConfig(runtime, null, null, null, 1, null, null);
        try (DockerSandbox sandbox = DockerSandbox.create(config)) {
            if (!sandbox.available()) {
                System.out.println(runtime + ": " + sandbox.status());
                return;
            }
            // With auto the effective runtime is only known now; the report lines name that one.
            runtime = sandbox.runtime();
            System.out.println("runtime " + runtime + (sandbox.warning() == null ? "" : " (" + sandbox.warning() + ")"));
            // Untimed warm-up: image and the three baselines.
            Path warm = Files.createTempDirectory("airlock-bench-warm");
            sandbox.run(HarmlessPackages.npm(warm), Ecosystem.NPM);
            sandbox.run(HarmlessPackages.sdist(warm), Ecosystem.PYPI);
            sandbox.run(HarmlessPackages.wheel(warm), Ecosystem.PYPI);
            RunDirectory.deleteTree(warm);
            for (Map.Entry<String, List<String[]>> group : groups.entrySet()) {
                List<Double> seconds = new ArrayList<>();
                for (String[] item : group.getValue()) {
                    Path artifact = Path.of(item[1]);
                    long start = System.nanoTime();
                    String outcome;
                    try {
                        BehaviorReport report = sandbox.run(artifact, Ecosystem.valueOf(item[0].toUpperCase(Locale.ROOT)));
                        outcome = report.phases().stream().map(p -> p.phase() + "=" + p.status()).toList().toString();
                    } catch (SandboxUnavailableException e) {
                        outcome = "sandbox failed (" + e.cause() + "): " + e.getMessage();
                    } catch (Exception e) {
                        outcome = "failed: " + e.getMessage();
                    }
                    double s = (System.nanoTime() - start) / 1e9;
                    seconds.add(s);
                    System.out.printf(Locale.ROOT, "%s\t%s\t%-50s\t%6.2f s\t%s%n", runtime, group.getKey(),
                            artifact.getFileName(), s, outcome);
                }
                List<Double> sorted = seconds.stream().sorted().toList();
                System.out.printf(Locale.ROOT, "SUMMARY\t%s\t%s\tn=%d\tmedian=%.2f s\tp90=%.2f s\tmax=%.2f s%n", runtime,
                        group.getKey(), sorted.size(), percentile(sorted, 50), percentile(sorted, 90),
                        sorted.get(sorted.size() - 1));
            }
            System.out.println("left-over containers: " + sandbox.ownContainers());
        }
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
