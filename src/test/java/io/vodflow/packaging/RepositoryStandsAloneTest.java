package io.vodflow.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A clone of the repository has nothing beside it: no file of the product, its tests, CI or scripts
 * may reach into the team's shared folder next to the working copy.
 */
class RepositoryStandsAloneTest {

    /** The shared folder one level up, with either separator; written so this file does not match. */
    private static final Pattern SHARED_FOLDER = Pattern.compile("\\.\\.[/\\\\]shared\\b");

    @Test
    void noFileReachesIntoTheSharedFolderBesideTheClone() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Stream.of("src", ".ci", "scripts")
                .map(Path::of)
                .filter(Files::isDirectory)
                .flatMap(RepositoryStandsAloneTest::walk)) {
            offenders = files.filter(Files::isRegularFile)
                    .filter(RepositoryStandsAloneTest::mentionsSharedFolder)
                    .map(Path::toString)
                    .toList();
        }

        assertThat(offenders).as("files referring to the shared folder").isEmpty();
    }

    private static Stream<Path> walk(Path directory) {
        try {
            return Files.walk(directory);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean mentionsSharedFolder(Path file) {
        try {
            return SHARED_FOLDER
                    .matcher(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                    .find();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
