package org.pricingengine.tools.testutils;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths into the repository (tests run with the module directory as working directory). */
public final class RepoPaths {
    private RepoPaths() {}

    public static Path root() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("model-assets")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found above " + here);
    }

    public static Path models() {
        return root().resolve("model-assets/models");
    }

    public static Path cosmetics() {
        return root().resolve("model-assets/data/rees46/cosmetics_2019-10_2019-11.csv");
    }
}
