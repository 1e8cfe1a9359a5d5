package org.pricingengine.job.scoring;

import java.nio.file.Path;

/**
 * Where one exported model version lies: {@code root/version/manifest.json} and the ONNX file it names.
 *
 * @param root    the folder holding one sub-folder per model version
 * @param version the model version, the sub-folder's name
 */
public record ModelLocation(Path root, String version) {
    public Path directory() {
        return root.resolve(version);
    }

    public Path manifestFile() {
        return directory().resolve("manifest.json");
    }
}
