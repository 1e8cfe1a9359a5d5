package org.pricingengine.tools.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the kernel says a process has used: CPU time in all, per kind of thread, and resident memory. The
 * benchmark reads it for the job's JVM, its own and the broker's, so that each one's cost is its own.
 */
final class ProcessStats {
    private ProcessStats() {}

    /** CPU time this process has used (all its threads: ONNX Runtime's intra-op pool included). */
    static Duration ownCpu() {
        return cpu(ProcessHandle.current().pid()).orElse(Duration.ZERO);
    }

    /** CPU time (user and system) of a live process. */
    static Optional<Duration> cpu(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration());
    }

    /**
     * CPU time so far of each thread of a process, in clock ticks, from /proc: by thread name with digits
     * folded (the kernel's name, at most 15 characters: "Source Data Fet", "G1 Conc#", "C2 CompilerThre"),
     * so that a run's threads of one kind add up. Empty where /proc cannot be read.
     */
    static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> ticks = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // The name is in parentheses and may hold spaces; the fields after it are space-separated.
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(close + 2).split(" ");
                    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
                    ticks.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // A thread that ended between the listing and the read.
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return ticks;
    }

    /** Resident memory of a process in MB, from /proc; -1 where it cannot be read. */
    static long residentMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Cores each kind of the job's threads used over the measured part (clock ticks at the kernel's usual
     * 100 per second), the busiest first, those under 0.01 core left out.
     */
    static Map<String, Double> threadCores(Map<String, Long> before, Map<String, Long> after, double seconds) {
        Map<String, Double> cores = new LinkedHashMap<>();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 100.0 / seconds))
                .filter(e -> e.getValue() >= 0.01)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> cores.put(e.getKey(), Math.round(e.getValue() * 1000) / 1000.0));
        return cores;
    }
}
