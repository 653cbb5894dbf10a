package io.vodflow.upload;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * How the client sends its file: one presigned PUT, or a multipart plan with one presigned PUT per
 * part and the API call that completes the upload.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "UploadInstructions")
public record UploadInstructions(
        @Schema(
                        description = "single or multipart",
                        enumeration = {"single", "multipart"})
                String type,
        @Schema(description = "single: the HTTP method", example = "PUT") String method,
        @Schema(description = "single: the presigned URL") String url,
        @Schema(description = "single: headers to send; the signature covers them, so S3 refuses another type or size")
                Map<String, String> headers,
        @Schema(description = "multipart: the S3 upload id") String uploadId,
        @Schema(description = "multipart: size of every part but the last, in bytes") Long partSize,
        @Schema(description = "multipart: one presigned PUT per part") List<Part> parts,
        @Schema(
                        description = "multipart: POST the parts' ETags here when every part is sent; a signed link,"
                                + " good without a token until the upload is given up (the longest-lived upload URL, then"
                                + " vodflow.reconciler.upload-grace)")
                String completeUrl,
        @Schema(
                        description = "multipart: POST here for the parts signed again, as these instructions, once"
                                + " expiresAt comes near or storage refuses a part's URL with 403; a signed link, as"
                                + " completeUrl")
                String partsUrl,
        @Schema(description = "DELETE here to abandon the upload; a signed link, as completeUrl") String abortUrl,
        @Schema(
                        description = "When the presigned URLs stop working: their lifetime, or sooner when the"
                                + " credentials they were signed with expire first")
                Instant expiresAt) {

    @Schema(name = "UploadPart")
    public record Part(
            int partNumber,
            @Schema(description = "Exact size of this part in bytes") long sizeBytes,
            @Schema(example = "PUT") String method,
            String url) {}

    static UploadInstructions single(String url, Map<String, String> headers, String abortUrl, Instant expiresAt) {
        return new UploadInstructions("single", "PUT", url, headers, null, null, null, null, null, abortUrl, expiresAt);
    }

    static UploadInstructions multipart(
            String uploadId,
            long partSize,
            List<Part> parts,
            String completeUrl,
            String partsUrl,
            String abortUrl,
            Instant expiresAt) {
        return new UploadInstructions(
                "multipart", null, null, null, uploadId, partSize, parts, completeUrl, partsUrl, abortUrl, expiresAt);
    }
}
