package org.pricingengine.job.scoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The model versions shipped in model-assets, for tests (working directory: the module). */
public final class TestModels {
    private TestModels() {}

    public static Path root() {
        return Path.of("..", "model-assets", "models").toAbsolutePath().normalize();
    }

    /** Copies a shipped version into {@code target/<dir>} so a test can damage it. */
    public static Path copyOf(String version, Path into) throws IOException {
        Path source = root().resolve(version);
        Path dest = into.resolve(version);
        Files.createDirectories(dest);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, dest.resolve(f.getFileName()));
            }
        }
        return into;
    }
}
