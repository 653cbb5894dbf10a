package io.vodflow.upload;

import io.vodflow.media.RenditionLimits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What a client declares to create a video, with the rules it must meet: every field at fault is
 * reported at once, by name. The limits that depend on settings (types, sizes, renditions) are read
 * from {@code vodflow.upload.*}.
 */
@Schema(name = "CreateVideo")
public record CreateVideoRequest(
        @Schema(
                        description = "Name of the file on the client; stored as data, never used in storage keys",
                        example = "holiday.mp4",
                        maxLength = 255)
                @NotNull(message = "is required")
                @PlainText
                String fileName,
        @Schema(
                        description = "MIME type the upload will be sent with",
                        example = "video/mp4",
                        maxLength = AcceptedContentType.MAX_LENGTH)
                @NotBlank(message = "is required, for example video/mp4")
                @AcceptedContentType
                String contentType,
        @Schema(description = "Exact size of the file in bytes", example = "336833", minimum = "1")
                @NotNull(message = "is required")
                @AcceptedSize
                Long sizeBytes,
        @Schema(description = "Optional title", maxLength = 255) @PlainText String title,
        @Schema(description = "Optional limits on the renditions") @AcceptedLimits RenditionLimits output) {}
