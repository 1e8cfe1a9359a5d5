package org.pricingengine.tools.benchmark;

import org.pricingengine.features.events.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inference ceiling on CPU and on CUDA, side by side, in one go: proves the CUDA execution provider
 * on real hardware and states the speedup at each device's best batch. Fails (exit 2) with the reason
 * when CUDA cannot start, rather than quietly measuring the CPU twice.
 *
 * <p>Usage: {@code GpuCeiling [--model v1] [--model-dir DIR] [--seconds 2] [--cuda-device-id 0] [--out FILE]}.
 * Last line: {@code gpu: {json}}.
 */
public final class GpuCeiling {
    private GpuCeiling() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("model", "v1", "model-dir", "model-assets/models",
                "seconds", "2", "cuda-device-id", "0", "out", ".work/bench/gpu-ceiling.json",
                "data", "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Map<String, String> common = new LinkedHashMap<>(Map.of("model", a.get("model"), "model-dir", a.get("model-dir"),
                "seconds", a.get("seconds"), "data", a.get("data")));

        System.out.println("== CPU");
        Map<String, String> cpuArgs = new LinkedHashMap<>(common);
        cpuArgs.putAll(Map.of("device", "cpu", "threads", "1,2," + Runtime.getRuntime().availableProcessors(),
                "batches", "1,2,4,8,16,32,64,128,256,512"));
        Map<String, Object> cpu = InferenceCeiling.run(cpuArgs);

        System.out.println("== CUDA (device " + a.get("cuda-device-id") + ")");
        Map<String, String> cudaArgs = new LinkedHashMap<>(common);
        cudaArgs.putAll(Map.of("device", "cuda", "threads", "1", "cuda-device-id", a.get("cuda-device-id"),
                "batches", "1,2,4,8,16,32,64,128,256,512,1024,2048,4096"));
        Map<String, Object> cuda;
        try {
            cuda = InferenceCeiling.run(cudaArgs);
        } catch (RuntimeException e) {
            System.err.println("gpu: CUDA execution provider could not start: " + e.getMessage());
            System.err.println("gpu: needs an NVIDIA driver, CUDA 12 and cuDNN 9 libraries on the library path "
                    + "(see deploy/bench/gpu-ceiling.sh)");
            System.exit(2);
            return;
        }
        double cpuBest = ((Number) cpu.get("ceiling_per_s")).doubleValue();
        double cudaBest = ((Number) cuda.get("ceiling_per_s")).doubleValue();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_version", a.get("model"));
        out.put("cpu_cores", Runtime.getRuntime().availableProcessors());
        out.put("cpu_ceiling_per_s", Math.round(cpuBest));
        out.put("cpu_best", cpu.get("best"));
        out.put("cuda_execution_provider", cuda.get("execution_provider"));
        out.put("cuda_ceiling_per_s", Math.round(cudaBest));
        out.put("cuda_best", cuda.get("best"));
        out.put("cuda_speedup_at_best_batch", Math.round(cudaBest / cpuBest * 100) / 100.0);
        out.put("cpu", cpu);
        out.put("cuda", cuda);
        Path file = Path.of(a.get("out"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
        Map<String, Object> top = new LinkedHashMap<>(out);
        top.remove("cpu");
        top.remove("cuda");
        System.out.println("gpu: " + Json.toJson(top));
    }
}
