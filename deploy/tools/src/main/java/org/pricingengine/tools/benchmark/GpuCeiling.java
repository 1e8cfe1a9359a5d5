package org.pricingengine.tools.benchmark;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pricingengine.features.events.Json;
import org.pricingengine.tools.cli.ToolArguments;

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

    static final ToolArguments.Spec OPTIONS = ToolArguments.tool(
                    "deploy/bench/gpu-ceiling.sh",
                    "The inference ceiling on CPU and on CUDA side by side, and the speedup at each device's best batch.")
            .option("model", "v1", "the model version")
            .option("model-dir", "model-assets/models", "where the model versions are")
            .option("seconds", "2", "seconds per measured point")
            .option("cuda-device-id", "0", "the CUDA device")
            .option("out", ".work/bench/gpu-ceiling.json", "the report file (both ceilings in full)")
            .option(
                    "data",
                    "model-assets/data/rees46/cosmetics_2019-10_2019-11.csv",
                    "the log the feature vectors come from");

    private static final List<Integer> BATCHES = List.of(1, 2, 4, 8, 16, 32, 64, 128, 256, 512);

    /** The {@code gpu: {json}} line. */
    @JsonPropertyOrder({
        "model_version",
        "cpu_cores",
        "cpu_ceiling_per_s",
        "cpu_best",
        "cuda_execution_provider",
        "cuda_ceiling_per_s",
        "cuda_best",
        "cuda_speedup_at_best_batch"
    })
    public record Summary(
            @JsonProperty("model_version") String modelVersion,
            @JsonProperty("cpu_cores") int cpuCores,
            @JsonProperty("cpu_ceiling_per_s") long cpuCeilingPerS,
            @JsonProperty("cpu_best") InferenceCeiling.Point cpuBest,
            @JsonProperty("cuda_execution_provider") String cudaExecutionProvider,
            @JsonProperty("cuda_ceiling_per_s") long cudaCeilingPerS,
            @JsonProperty("cuda_best") InferenceCeiling.Point cudaBest,
            @JsonProperty("cuda_speedup_at_best_batch") double cudaSpeedupAtBestBatch) {}

    /** The report file: the summary and both ceilings in full. */
    @JsonPropertyOrder({"summary", "cpu", "cuda"})
    public record Report(
            @JsonUnwrapped Summary summary,
            @JsonProperty("cpu") InferenceCeiling.Result cpu,
            @JsonProperty("cuda") InferenceCeiling.Result cuda) {}

    public static void main(String[] args) throws Exception {
        ToolArguments a = OPTIONS.parseOrExit(args);
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.println("== CPU");
        InferenceCeiling.Result cpu = InferenceCeiling.run(new InferenceCeiling.Settings(
                a.string("model"),
                a.path("model-dir"),
                "cpu",
                a.decimal("seconds"),
                List.of(1, 2, cores),
                BATCHES,
                a.path("data"),
                0));

        System.out.println("== CUDA (device " + a.integer("cuda-device-id") + ")");
        List<Integer> cudaBatches = new ArrayList<>(BATCHES);
        cudaBatches.addAll(List.of(1024, 2048, 4096));
        InferenceCeiling.Result cuda;
        try {
            cuda = InferenceCeiling.run(new InferenceCeiling.Settings(
                    a.string("model"),
                    a.path("model-dir"),
                    "cuda",
                    a.decimal("seconds"),
                    List.of(1),
                    cudaBatches,
                    a.path("data"),
                    a.integer("cuda-device-id")));
        } catch (RuntimeException e) {
            System.err.println("gpu: CUDA execution provider could not start: " + e.getMessage());
            System.err.println("gpu: needs an NVIDIA driver, CUDA 12 and cuDNN 9 libraries on the library path "
                    + "(see deploy/bench/gpu-ceiling.sh)");
            System.exit(2);
            return;
        }
        double cpuBest = cpu.ceilingPerS();
        double cudaBest = cuda.ceilingPerS();
        Summary summary = new Summary(
                a.string("model"),
                cores,
                Math.round(cpuBest),
                cpu.best(),
                cuda.executionProvider(),
                Math.round(cudaBest),
                cuda.best(),
                Math.round(cudaBest / cpuBest * 100) / 100.0);
        Path file = a.path("out");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(
                file,
                Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(new Report(summary, cpu, cuda)));
        System.out.println("gpu: " + Json.toJson(summary));
    }
}
