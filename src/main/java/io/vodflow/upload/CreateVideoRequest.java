package io.vodflow.upload;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What a client declares to create a video. */
@Schema(name = "CreateVideo")
public record CreateVideoRequest(
        @Schema(
                        description = "Name of the file on the client; stored as data, never used in storage keys",
                        example = "holiday.mp4",
                        maxLength = 255)
                String fileName,
        @Schema(description = "MIME type the upload will be sent with", example = "video/mp4") String contentType,
        @Schema(description = "Exact size of the file in bytes", example = "336833", minimum = "1") Long sizeBytes,
        @Schema(description = "Optional title", maxLength = 255) String title,
        @Schema(description = "Optional limits on the renditions") OutputRequest output) {

    /** The client's wishes for the result, as the original pattern's width/height/bitrate metadata. */
    @Schema(name = "OutputWishes")
    public record OutputRequest(
            @Schema(
                            description = "Best rendition wanted, named as 720p is: by its shorter side, in pixels"
                                    + " (the height of a landscape video, the width of a portrait one)",
                            example = "720")
                    Integer maxHeight,
            @Schema(description = "Highest bitrate wanted, in bits per second", example = "3000000")
                    Integer maxBitrate) {}
}
