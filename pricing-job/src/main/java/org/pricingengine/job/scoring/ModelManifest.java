package org.pricingengine.job.scoring;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The manifest written next to every exported model (see model-assets/CONTRACT.md). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
        @JsonProperty("model_version") String modelVersion,
        @JsonProperty("feature_spec_version") String featureSpecVersion,
        @JsonProperty("feature_fingerprint") String featureFingerprint,
        @JsonProperty("onnx_file") String onnxFile,
        @JsonProperty("onnx_sha256") String onnxSha256,
        @JsonProperty("inputs") List<TensorSpec> inputs,
        @JsonProperty("outputs") List<TensorSpec> outputs,
        @JsonProperty("token_features") List<String> tokenFeatures,
        @JsonProperty("context_features") List<String> contextFeatures,
        @JsonProperty("normalisation") Normalisation normalisation,
        @JsonProperty("metrics") Map<String, Object> metrics) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TensorSpec(
            @JsonProperty("name") String name,
            @JsonProperty("shape") List<Long> shape,
            @JsonProperty("dtype") String dtype) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Normalisation(
            @JsonProperty("context_mean") List<Double> contextMean,
            @JsonProperty("context_std") List<Double> contextStd) {}
}
