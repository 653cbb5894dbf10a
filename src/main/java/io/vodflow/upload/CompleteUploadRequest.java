package io.vodflow.upload;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The parts of a multipart upload, as S3 acknowledged them. */
@Schema(name = "CompleteUpload")
public record CompleteUploadRequest(
        @Schema(description = "Every part, each with the ETag S3 returned") List<Part> parts) {

    @Schema(name = "CompletedPart")
    public record Part(
            @Schema(example = "1") Integer partNumber,
            @Schema(
                            description = "ETag response header of the part's PUT",
                            example = "\"5d41402abc4b2a76b9719d911017c592\"")
                    String eTag) {}
}
