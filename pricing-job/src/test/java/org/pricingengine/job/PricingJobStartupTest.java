package org.pricingengine.job;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.Checksums;
import org.pricingengine.job.scoring.ModelContractException;
import org.pricingengine.job.scoring.TestModels;

/** The job refuses to start, before anything is submitted, when its model cannot serve. */
class PricingJobStartupTest {
    @TempDir
    Path temp;

    private ModelContractException refused(Path modelRoot, String version) {
        return assertThrows(
                ModelContractException.class,
                () -> PricingJob.main(new String[] {
                    "--model.dir",
                    modelRoot.toString(),
                    "--model.version",
                    version,
                    "--kafka.bootstrap-servers",
                    "127.0.0.1:1"
                }));
    }

    @Test
    void aMissingModelDirectoryOrVersionIsRefused() throws Exception {
        ModelContractException noDir = refused(temp.resolve("nowhere"), "v1");
        assertTrue(noDir.getMessage().contains("v1"), noDir.getMessage());
        Path root = TestModels.copyOf("v1", temp);
        ModelContractException noVersion = refused(root, "v7");
        assertTrue(
                noVersion.getMessage().contains("v7") && noVersion.getMessage().contains("v1"), noVersion.getMessage());
    }

    @Test
    void aMissingModelFileIsRefused() throws Exception {
        Path root = TestModels.copyOf("v1", temp);
        Files.delete(root.resolve("v1/model.onnx"));
        ModelContractException e = refused(root, "v1");
        assertTrue(e.getMessage().contains("is missing"), e.getMessage());
    }

    @Test
    void aModelFileThatDoesNotMatchItsChecksumIsRefused() throws Exception {
        Path root = TestModels.copyOf("v1", temp);
        Path onnx = root.resolve("v1/model.onnx");
        byte[] bytes = Files.readAllBytes(onnx);
        bytes[bytes.length / 3] ^= 0x11;
        Files.write(onnx, bytes);
        ModelContractException e = refused(root, "v1");
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
    }

    @Test
    void aModelFileOnnxRuntimeCannotReadIsRefusedEvenWithAMatchingChecksum() throws Exception {
        Path root = TestModels.copyOf("v1", temp);
        Path onnx = root.resolve("v1/model.onnx");
        byte[] bytes = Files.readAllBytes(onnx);
        Files.write(onnx, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // truncated upload
        Path manifest = root.resolve("v1/manifest.json");
        String text = Files.readString(manifest);
        text = text.replaceAll(
                "\"onnx_sha256\"\\s*:\\s*\"[0-9a-f]+\"", "\"onnx_sha256\": \"" + Checksums.sha256(onnx) + "\"");
        Files.writeString(manifest, text);
        ModelContractException e = refused(root, "v1");
        assertTrue(e.getMessage().contains("ONNX Runtime cannot load"), e.getMessage());
    }
}
