package org.pricingengine.it.testutils;

import java.io.File;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's python3 with the training packages (model-assets/training/install-deps.sh). Tests that need
 * it are skipped on a developer machine without it, and fail on CI (CI=true), where .ci/run installs it.
 */
public final class DebianPython {
    public static final String PYTHON = "/usr/bin/python3";

    private DebianPython() {}

    /** Skips (or, on CI, fails) the calling test unless every module imports, e.g. "torch", "onnx". */
    public static void require(String... modules) throws Exception {
        String imports = "import " + String.join(", ", modules);
        boolean present = new File(PYTHON).canExecute()
                && new ProcessBuilder(PYTHON, "-c", imports).start().waitFor() == 0;
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("python3 modules " + String.join(", ", modules)
                    + " are missing on CI: .ci/run should have installed them (model-assets/training/install-deps.sh)");
        }
        Assumptions.assumeTrue(
                present,
                "python3 modules " + String.join(", ", modules)
                        + " not installed (model-assets/training/install-deps.sh)");
    }
}
