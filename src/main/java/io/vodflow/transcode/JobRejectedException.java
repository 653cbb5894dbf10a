package io.vodflow.transcode;

/** The engine refused the job for good; the message says why in words for the uploader. */
public class JobRejectedException extends RuntimeException {

    private final String code;

    public JobRejectedException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
