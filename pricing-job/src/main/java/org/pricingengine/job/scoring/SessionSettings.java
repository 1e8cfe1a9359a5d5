package org.pricingengine.job.scoring;

import org.pricingengine.job.config.PricingConfig.ModelDevice;

/**
 * How an ONNX Runtime session for a model is set up.
 *
 * @param device         where the model runs; see {@link ModelDevice} for how AUTO chooses
 * @param cudaDeviceId   the GPU to use when the model runs on CUDA
 * @param intraOpThreads ONNX Runtime's threads within one model call
 */
public record SessionSettings(ModelDevice device, int cudaDeviceId, int intraOpThreads) {
    /** One CPU thread: start-up checks and offline tools, which must not depend on a GPU. */
    public static SessionSettings singleThreadCpu() {
        return new SessionSettings(ModelDevice.CPU, 0, 1);
    }
}
