package io.vodflow.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Each container image runs the ffmpeg that vodflow bundles, as a non-root user. No container engine
 * runs here, so the images are read from their Dockerfiles: the base image, the packages installed and
 * how the bundled ffmpeg gets in, checked against the libraries that ffmpeg and ffprobe need (the
 * NEEDED entries of their ELF dynamic sections, and of the shipped libraries those lead to).
 */
class DockerfilesTest {

    private static final Path DOCKER = Path.of("src", "main", "docker");
    private static final Path POM = Path.of("pom.xml");
    private static final String STAND_INS = "io.vodflow.media.DeviceLibraryStandIns";

    /** The JavaCPP platforms the images run on, by Docker's name for the architecture (TARGETARCH). */
    private static final Map<String, String> PLATFORMS = Map.of("linux-x86_64", "amd64", "linux-arm64", "arm64");

    /** glibc, which every image has: the C library, its companions and the dynamic loader. */
    private static final Set<String> GLIBC = Set.of(
            "libc.so.6",
            "libm.so.6",
            "libmvec.so.1",
            "libpthread.so.0",
            "libdl.so.2",
            "librt.so.1",
            "libresolv.so.2",
            "libutil.so.1",
            "ld-linux-x86-64.so.2",
            "ld-linux-aarch64.so.1");

    /**
     * What each known base image has beyond glibc. Debian slim and Ubuntu (under eclipse-temurin) keep
     * apt, and UBI minimal keeps microdnf, both C++ programs: the GCC C and C++ runtime are there. An
     * image on another base fails until its set is written down here.
     */
    private static final Map<String, Set<String>> BASE_IMAGES = Map.of(
            "debian:12-slim", Set.of("libgcc_s.so.1", "libstdc++.so.6"),
            "debian:bookworm-slim", Set.of("libgcc_s.so.1", "libstdc++.so.6"),
            "eclipse-temurin:17-jre", Set.of("libgcc_s.so.1", "libstdc++.so.6"),
            "eclipse-temurin:25-jre", Set.of("libgcc_s.so.1", "libstdc++.so.6"),
            "registry.access.redhat.com/ubi9/ubi-minimal", Set.of("libgcc_s.so.1", "libstdc++.so.6"));

    /**
     * The Debian and RPM packages that provide a library the bundled ffmpeg may link. No package of
     * either distribution provides the ffmpeg libraries themselves at the bundled versions.
     */
    private static final Map<String, Set<String>> PACKAGES = Map.ofEntries(
            Map.entry("libstdc++.so.6", Set.of("libstdc++6", "libstdc++")),
            Map.entry("libgcc_s.so.1", Set.of("libgcc-s1", "libgcc")),
            Map.entry("libpulse.so.0", Set.of("libpulse0", "pulseaudio-libs")),
            Map.entry("libasound.so.2", Set.of("libasound2", "alsa-lib")),
            Map.entry("libxcb.so.1", Set.of("libxcb1", "libxcb")),
            Map.entry("libxcb-shm.so.0", Set.of("libxcb-shm0", "libxcb")),
            Map.entry("libxcb-shape.so.0", Set.of("libxcb-shape0", "libxcb")),
            Map.entry("libxcb-xfixes.so.0", Set.of("libxcb-xfixes0", "libxcb")),
            Map.entry("libudev.so.1", Set.of("libudev1", "systemd-libs")),
            Map.entry("libva.so.2", Set.of("libva2", "libva")),
            Map.entry("libva-drm.so.2", Set.of("libva-drm2", "libva")),
            Map.entry("libdrm.so.2", Set.of("libdrm2", "libdrm")));

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");

    @TempDir
    Path temporary;

    @Test
    void theElfReaderFindsWhatTheBundledFfmpegLinks() throws Exception {
        Optional<Path> jar = bundledJar("linux-x86_64");
        assumeTrue(jar.isPresent(), "no org.bytedeco ffmpeg jar for linux-x86_64 on the classpath or in ~/.m2");
        try (Bundled bundled = new Bundled(jar.get(), "linux-x86_64")) {
            List<String> needed = needed(bundled.read("ffmpeg"));
            assertThat(needed).contains("libc.so.6").anyMatch(library -> library.startsWith("libavcodec.so."));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyImageHasWhatItsFfmpegNeedsAndRunsAsNonRoot() throws IOException {
        List<Path> dockerfiles;
        try (Stream<Path> files = Files.list(DOCKER)) {
            dockerfiles = files.filter(file -> file.getFileName().toString().startsWith("Dockerfile"))
                    .sorted()
                    .toList();
        }
        assertThat(dockerfiles).isNotEmpty();
        return dockerfiles.stream().flatMap(dockerfile -> PLATFORMS.keySet().stream()
                .sorted()
                .map(platform -> DynamicTest.dynamicTest(
                        dockerfile.getFileName() + " on " + platform, () -> check(dockerfile, platform))));
    }

    private void check(Path dockerfile, String platform) throws Exception {
        Optional<Path> jar = bundledJar(platform);
        assumeTrue(jar.isPresent(), "no org.bytedeco ffmpeg jar for " + platform + " on the classpath or in ~/.m2");
        String name = dockerfile.getFileName().toString();
        Image image = Image.read(dockerfile, PLATFORMS.get(platform));
        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(image.user())
                .as("%s: the user the image runs as", name)
                .isNotNull()
                .doesNotMatch("(root|0)(:.*)?");
        try (Bundled bundled = new Bundled(jar.get(), platform)) {
            Beside beside = beside(image, bundled, softly);
            softly.assertThat(beside.files())
                    .as("%s: the bundled executables in the image", name)
                    .contains("ffmpeg", "ffprobe");
            Set<String> known = BASE_IMAGES.get(image.base());
            softly.assertThat(known)
                    .as("%s: %s is not a known base image: add what it has to BASE_IMAGES", name, image.base())
                    .isNotNull();
            Set<String> base = known == null ? Set.of() : known;
            for (Map.Entry<String, String> need : needs(bundled, beside).entrySet()) {
                String library = need.getKey();
                boolean provided = beside.files().contains(library)
                        || beside.standIns().contains(library)
                        || GLIBC.contains(library)
                        || base.contains(library)
                        || PACKAGES.getOrDefault(library, Set.of()).stream().anyMatch(image.packages()::contains);
                softly.assertThat(provided)
                        .as(
                                "%s: %s (needed by %s) is neither shipped beside ffmpeg, a stand-in, part of %s,"
                                        + " nor in a package it installs %s",
                                name, library, need.getValue(), image.base(), image.packages())
                        .isTrue();
            }
        }
        softly.assertAll();
    }

    /**
     * Every library that ffmpeg and ffprobe need, directly or through a library the image ships beside
     * them, each with the first file found to need it.
     */
    private static Map<String, String> needs(Bundled bundled, Beside beside) throws IOException {
        Map<String, String> needs = new LinkedHashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of("ffmpeg", "ffprobe"));
        Set<String> read = new LinkedHashSet<>(queue);
        while (!queue.isEmpty()) {
            String file = queue.removeFirst();
            for (String library : needed(bundled.read(file))) {
                needs.putIfAbsent(library, file);
                boolean shipped =
                        beside.files().contains(library) && bundled.names().contains(library);
                if (shipped && read.add(library)) {
                    queue.addLast(library);
                }
            }
        }
        return needs;
    }

    /** What lies beside the image's ffmpeg: the files shipped with it and the stand-ins written there. */
    private record Beside(Set<String> files, Set<String> standIns) {}

    private Beside beside(Image image, Bundled bundled, SoftAssertions softly) throws Exception {
        for (Copy copy : image.copies()) {
            if (copy.source().startsWith("target/quarkus-app")) {
                // FfmpegTools extracts the jar's directory at run time and writes the stand-ins there.
                softly.assertThat(image.environment().getOrDefault("JAVA_OPTS", ""))
                        .as("%s: the JavaCPP cache (ffmpeg is extracted there) is under /tmp", image.name())
                        .contains("-Dorg.bytedeco.javacpp.cachedir=/tmp/");
                return new Beside(bundled.names(), standIns(bundled.platform()));
            }
            if (copy.source().startsWith("target/ffmpeg/")) {
                checkPointedAt(image, copy.destination(), softly);
                return unpacked(copy.source(), bundled);
            }
        }
        return new Beside(Set.of(), Set.of());
    }

    /** A native image does not look for ffmpeg in the jars: it is told where ffmpeg is. */
    private static void checkPointedAt(Image image, String destination, SoftAssertions softly) {
        String directory = destination.replaceAll("/+$", "");
        Map<String, String> environment = image.environment();
        softly.assertThat(environment.get("VODFLOW_FFMPEG_PATH"))
                .as("%s: VODFLOW_FFMPEG_PATH", image.name())
                .isEqualTo(directory + "/ffmpeg");
        softly.assertThat(environment.get("VODFLOW_FFMPEG_PROBE_PATH"))
                .as("%s: VODFLOW_FFMPEG_PROBE_PATH", image.name())
                .isEqualTo(directory + "/ffprobe");
        softly.assertThat(
                        List.of(environment.getOrDefault("LD_LIBRARY_PATH", "").split(":")))
                .as("%s: LD_LIBRARY_PATH, through which ffmpeg's libraries find the libraries they need", image.name())
                .contains(directory);
    }

    /**
     * What the {@code container} profile of pom.xml puts into {@code source}: the jar's entries that its
     * dependency unpacking takes there, and the stand-ins that it writes there.
     */
    private Beside unpacked(String source, Bundled bundled) throws Exception {
        String directory = source.replaceAll("/+$", "");
        Element profile = containerProfile();
        Set<String> files = new TreeSet<>();
        Set<String> standIns = new TreeSet<>();
        for (Element plugin : descendants(profile, "plugin")) {
            String artifact = text(plugin, "artifactId");
            for (Element execution : descendants(plugin, "execution")) {
                Element configuration = child(execution, "configuration");
                if (configuration == null) {
                    continue;
                }
                if (artifact.equals("maven-dependency-plugin")) {
                    files.addAll(unpackedInto(directory, configuration, bundled));
                }
                if (artifact.equals("exec-maven-plugin")
                        && standInsWrittenInto(directory, configuration, bundled.platform())) {
                    standIns.addAll(standIns(bundled.platform()));
                }
            }
        }
        return new Beside(files, standIns);
    }

    private static Set<String> unpackedInto(String directory, Element configuration, Bundled bundled) {
        Set<String> files = new TreeSet<>();
        for (Element item : descendants(configuration, "artifactItem")) {
            // The plugin reads file mappers from each artifact item only.
            boolean flatten = !descendants(item, "org.codehaus.plexus.components.io.filemappers.FlattenFileMapper")
                    .isEmpty();
            boolean ours = text(item, "artifactId").equals("ffmpeg")
                    && text(item, "classifier").equals(bundled.platform() + "-gpl")
                    && project(text(item, "outputDirectory")).equals(directory);
            if (!ours) {
                continue;
            }
            String includes = Optional.ofNullable(text(item, "includes"))
                    .filter(text -> !text.isEmpty())
                    .orElse(text(configuration, "includes"));
            String excludes = Optional.ofNullable(text(item, "excludes"))
                    .filter(text -> !text.isEmpty())
                    .orElse(text(configuration, "excludes"));
            for (String entry : bundled.entries()) {
                if ((includes.isEmpty() || globs(includes, entry)) && !globs(excludes, entry)) {
                    files.add(flatten ? entry.substring(entry.lastIndexOf('/') + 1) : entry);
                }
            }
        }
        return files;
    }

    private static boolean standInsWrittenInto(String directory, Element configuration, String platform) {
        List<String> arguments = descendants(configuration, "argument").stream()
                .map(argument -> project(argument.getTextContent().strip()))
                .toList();
        int start = arguments.indexOf(STAND_INS);
        for (int index = start + 1; start >= 0 && index + 1 < arguments.size(); index += 2) {
            if (arguments.get(index).equals(directory)
                    && arguments.get(index + 1).equals(platform)) {
                return true;
            }
        }
        return false;
    }

    /** The names of the stand-ins that vodflow writes for a platform (all of them, into an empty directory). */
    private Set<String> standIns(String platform) throws Exception {
        Path directory = Files.createTempDirectory(temporary, platform);
        Method write = Class.forName(STAND_INS).getDeclaredMethod("write", Path.class, String.class);
        write.setAccessible(true);
        write.invoke(null, directory, platform);
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(file -> file.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    /** Whether a path matches one of comma-separated Ant patterns, as Maven's unpacking reads them. */
    private static boolean globs(String patterns, String path) {
        for (String glob : patterns.split(",")) {
            if (!glob.isBlank() && path.matches(regex(glob.strip()))) {
                return true;
            }
        }
        return false;
    }

    private static String regex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int index = 0; index < glob.length(); index++) {
            if (glob.startsWith("**/", index)) {
                regex.append("(?:.*/)?");
                index += 2;
            } else if (glob.startsWith("**", index)) {
                regex.append(".*");
                index++;
            } else if (glob.charAt(index) == '*') {
                regex.append("[^/]*");
            } else if (glob.charAt(index) == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(glob.substring(index, index + 1)));
            }
        }
        return regex.toString();
    }

    private static String project(String path) {
        return path.replace("${project.build.directory}", "target").replace("${project.basedir}/", "");
    }

    private static Element containerProfile() throws Exception {
        Element root = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(POM.toFile())
                .getDocumentElement();
        return descendants(root, "profile").stream()
                .filter(profile -> "container".equals(text(profile, "id")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("pom.xml has no container profile"));
    }

    private static List<Element> descendants(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        var nodes = parent.getElementsByTagName(name);
        for (int index = 0; index < nodes.getLength(); index++) {
            found.add((Element) nodes.item(index));
        }
        return found;
    }

    private static Element child(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element child = child(parent, name);
        return child == null ? "" : child.getTextContent().strip();
    }

    /** The bundled ffmpeg jar of a platform: the one on the classpath, else the local Maven repository's. */
    private static Optional<Path> bundledJar(String platform) throws Exception {
        URL resource =
                DockerfilesTest.class.getClassLoader().getResource("org/bytedeco/ffmpeg/" + platform + "-gpl/ffmpeg");
        if (resource != null && "jar".equals(resource.getProtocol())) {
            return Optional.of(Path.of(((JarURLConnection) resource.openConnection())
                    .getJarFileURL()
                    .toURI()));
        }
        Matcher version = Pattern.compile("<bytedeco-ffmpeg.version>([^<]+)<").matcher(Files.readString(POM));
        if (!version.find()) {
            return Optional.empty();
        }
        Path repository = Path.of(System.getProperty(
                "maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
        Path jar = repository.resolve(Path.of(
                "org",
                "bytedeco",
                "ffmpeg",
                version.group(1),
                "ffmpeg-" + version.group(1) + "-" + platform + "-gpl.jar"));
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /** The files of one platform's directory in the org.bytedeco ffmpeg jar. */
    private static final class Bundled implements AutoCloseable {
        private final JarFile jar;
        private final String platform;
        private final String directory;
        private final Map<String, byte[]> contents = new HashMap<>();

        Bundled(Path jar, String platform) throws IOException {
            this.jar = new JarFile(jar.toFile());
            this.platform = platform;
            this.directory = "org/bytedeco/ffmpeg/" + platform + "-gpl/";
        }

        String platform() {
            return platform;
        }

        /** Every entry of the jar, with its path. */
        List<String> entries() {
            return jar.stream()
                    .filter(entry -> !entry.isDirectory())
                    .map(JarEntry::getName)
                    .toList();
        }

        /** The names of the files in the platform's directory. */
        Set<String> names() {
            Set<String> names = new TreeSet<>();
            for (String entry : entries()) {
                if (entry.startsWith(directory) && entry.indexOf('/', directory.length()) < 0) {
                    names.add(entry.substring(directory.length()));
                }
            }
            return names;
        }

        byte[] read(String name) throws IOException {
            byte[] known = contents.get(name);
            if (known != null) {
                return known;
            }
            JarEntry entry = jar.getJarEntry(directory + name);
            assertThat(entry).as("%s in %s", name, jar.getName()).isNotNull();
            try (InputStream in = jar.getInputStream(entry)) {
                byte[] bytes = in.readAllBytes();
                if (bytes.length < 1 << 20) {
                    contents.put(name, bytes);
                }
                return bytes;
            }
        }

        @Override
        public void close() throws IOException {
            jar.close();
        }
    }

    /**
     * The DT_NEEDED entries of a little-endian ELF64 file: its dynamic section (PT_DYNAMIC) names the
     * string table by address, which the loadable segments (PT_LOAD) map back to a file offset.
     */
    static List<String> needed(byte[] file) {
        ByteBuffer elf = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(file.length > 64 && elf.getInt(0) == 0x464c457f && file[4] == 2 && file[5] == 1)
                .as("a little-endian ELF64 file")
                .isTrue();
        long programHeaders = elf.getLong(0x20);
        int size = Short.toUnsignedInt(elf.getShort(0x36));
        int count = Short.toUnsignedInt(elf.getShort(0x38));
        List<long[]> loads = new ArrayList<>();
        long dynamic = -1;
        for (int index = 0; index < count; index++) {
            int header = (int) (programHeaders + (long) index * size);
            int type = elf.getInt(header);
            if (type == 1) {
                loads.add(new long[] {elf.getLong(header + 8), elf.getLong(header + 16), elf.getLong(header + 32)});
            } else if (type == 2) {
                dynamic = elf.getLong(header + 8);
            }
        }
        if (dynamic < 0) {
            return List.of();
        }
        List<Long> neededOffsets = new ArrayList<>();
        long stringTable = -1;
        for (int at = (int) dynamic; elf.getLong(at) != 0; at += 16) {
            long tag = elf.getLong(at);
            if (tag == 1) {
                neededOffsets.add(elf.getLong(at + 8));
            } else if (tag == 5) {
                stringTable = fileOffset(loads, elf.getLong(at + 8));
            }
        }
        List<String> needed = new ArrayList<>();
        for (long offset : neededOffsets) {
            int start = (int) (stringTable + offset);
            int end = start;
            while (file[end] != 0) {
                end++;
            }
            needed.add(new String(file, start, end - start, StandardCharsets.US_ASCII));
        }
        return needed;
    }

    /** Maps an address to where it lies in the file; each segment is {offset, address, size in file}. */
    private static long fileOffset(List<long[]> loads, long address) {
        for (long[] load : loads) {
            if (address >= load[1] && address < load[1] + load[2]) {
                return address - load[1] + load[0];
            }
        }
        throw new AssertionError("address " + Long.toHexString(address) + " is in no loadable segment");
    }

    /** A file or directory that a COPY or ADD instruction takes from the build context. */
    private record Copy(String source, String destination) {}

    /**
     * The final stage of a Dockerfile: its base image (through earlier stages it is built on), the
     * packages its RUN instructions install, what it copies from the build context, its environment
     * and its user.
     */
    private record Image(
            String name,
            String base,
            Set<String> packages,
            List<Copy> copies,
            Map<String, String> environment,
            String user) {

        static Image read(Path dockerfile, String architecture) throws IOException {
            Map<String, Image> stages = new HashMap<>();
            Map<String, String> arguments = new HashMap<>(Map.of("TARGETARCH", architecture));
            Image image = null;
            for (String[] instruction : instructions(dockerfile)) {
                String text = substitute(instruction[1], arguments);
                switch (instruction[0]) {
                    case "FROM" -> image = from(dockerfile, words(text), stages);
                    case "ARG" -> {
                        String[] definition = text.split("=", 2);
                        if (definition.length == 2) {
                            arguments.putIfAbsent(definition[0].strip(), definition[1].strip());
                        }
                    }
                    case "RUN" -> image.packages().addAll(installs(text));
                    case "COPY", "ADD" -> copy(words(text)).ifPresent(image.copies()::add);
                    case "ENV" -> image.environment().putAll(environment(words(text)));
                    case "USER" -> image = image.as(text.strip());
                    default -> {}
                }
            }
            assertThat(image).as("%s has a FROM", dockerfile).isNotNull();
            return image;
        }

        Image as(String user) {
            return new Image(name, base, packages, copies, environment, user);
        }

        private static Image from(Path dockerfile, List<String> words, Map<String, Image> stages) {
            List<String> rest =
                    words.stream().filter(word -> !word.startsWith("--")).toList();
            String reference = rest.get(0);
            Image parent = stages.get(reference);
            Image stage = parent == null
                    ? new Image(
                            dockerfile.getFileName().toString(),
                            BASE_IMAGES.containsKey(reference) ? reference : reference.replaceFirst(":[^:/]+$", ""),
                            new TreeSet<>(),
                            new ArrayList<>(),
                            new LinkedHashMap<>(),
                            null)
                    : new Image(
                            parent.name(),
                            parent.base(),
                            new TreeSet<>(parent.packages()),
                            new ArrayList<>(),
                            new LinkedHashMap<>(parent.environment()),
                            parent.user());
            if (rest.size() == 3 && rest.get(1).equalsIgnoreCase("AS")) {
                stages.put(rest.get(2), stage);
            }
            return stage;
        }

        /** The Dockerfile's instructions, continuation lines joined and comment lines left out. */
        private static List<String[]> instructions(Path dockerfile) throws IOException {
            List<String[]> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(dockerfile)) {
                String stripped = line.strip();
                if (stripped.startsWith("#")) {
                    continue;
                }
                if (stripped.endsWith("\\")) {
                    current.append(stripped, 0, stripped.length() - 1).append(' ');
                    continue;
                }
                String text = current.append(stripped).toString().strip();
                current.setLength(0);
                if (!text.isEmpty()) {
                    String[] parts = text.split("\\s+", 2);
                    instructions.add(
                            new String[] {parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""});
                }
            }
            return instructions;
        }

        private static String substitute(String text, Map<String, String> arguments) {
            return VARIABLE.matcher(text)
                    .replaceAll(
                            match -> Matcher.quoteReplacement(arguments.getOrDefault(match.group(1), match.group())));
        }

        /** The packages that apt-get, apt, microdnf, dnf or yum install in a RUN command. */
        private static Set<String> installs(String command) {
            Set<String> packages = new TreeSet<>();
            for (String segment : command.split("&&|\\|\\||;|\\|")) {
                List<String> words = List.of(segment.strip().split("\\s+"));
                int tool = -1;
                for (int index = 0; index < words.size() && tool < 0; index++) {
                    if (Set.of("apt-get", "apt", "microdnf", "dnf", "yum").contains(words.get(index))) {
                        tool = index;
                    }
                }
                int install = tool < 0 ? -1 : words.subList(tool, words.size()).indexOf("install");
                for (int index = tool + install + 1; install >= 0 && index < words.size(); index++) {
                    if (!words.get(index).startsWith("-")) {
                        packages.add(words.get(index).replaceFirst("[=:].*", ""));
                    }
                }
            }
            return packages;
        }

        private static Optional<Copy> copy(List<String> words) {
            if (words.stream().anyMatch(word -> word.startsWith("--from"))) {
                return Optional.empty();
            }
            List<String> paths =
                    words.stream().filter(word -> !word.startsWith("--")).toList();
            return paths.size() == 2 ? Optional.of(new Copy(paths.get(0), paths.get(1))) : Optional.empty();
        }

        private static Map<String, String> environment(List<String> words) {
            Map<String, String> environment = new LinkedHashMap<>();
            if (!words.isEmpty() && !words.get(0).contains("=")) {
                environment.put(words.get(0), String.join(" ", words.subList(1, words.size())));
                return environment;
            }
            for (String word : words) {
                String[] pair = word.split("=", 2);
                environment.put(pair[0], pair.length > 1 ? pair[1] : "");
            }
            return environment;
        }

        /** Splits on white space outside double quotes, dropping the quotes. */
        private static List<String> words(String text) {
            List<String> words = new ArrayList<>();
            StringBuilder word = new StringBuilder();
            boolean quoted = false;
            boolean started = false;
            for (char c : text.toCharArray()) {
                if (c == '"') {
                    quoted = !quoted;
                    started = true;
                } else if (Character.isWhitespace(c) && !quoted) {
                    if (started) {
                        words.add(word.toString());
                        word.setLength(0);
                        started = false;
                    }
                } else {
                    word.append(c);
                    started = true;
                }
            }
            if (started) {
                words.add(word.toString());
            }
            return words;
        }
    }
}
