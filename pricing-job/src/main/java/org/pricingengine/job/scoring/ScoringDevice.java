package org.pricingengine.job.scoring;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the model runs, as configured ({@code model.device}). */
public enum ScoringDevice {
    AUTO,
    CPU,
    CUDA;

    public static ScoringDevice parse(String text) {
        return valueOf(text.strip().toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * Whether this machine has an NVIDIA GPU the driver exposes. Checked by the device nodes, which
     * costs nothing: trying the CUDA provider on a machine without one first unpacks ~300 MB of CUDA
     * libraries and takes seconds.
     */
    public static boolean nvidiaGpuPresent() {
        return Files.exists(Path.of("/dev/nvidiactl")) || Files.exists(Path.of("/dev/nvidia0"));
    }
}
