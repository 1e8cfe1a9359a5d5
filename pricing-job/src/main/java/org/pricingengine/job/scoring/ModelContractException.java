package org.pricingengine.job.scoring;

/** A model that does not fit this job: missing files, bad checksum, or a different feature contract. */
public class ModelContractException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelContractException(String message) {
        super(message);
    }

    public ModelContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
