package io.vodflow.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Empty stand-ins for the device libraries that the bundled ffmpeg links on Linux: sound and screen
 * capture in libavdevice (PulseAudio, ALSA, XCB), hardware devices in libavutil (udev, VA-API, DRM).
 * Servers rarely have them all, and vodflow never opens a capture, playback or hardware device. Each stand-in is a minimal ELF shared object carrying only the library
 * name and the symbol versions the dynamic loader checks when it loads ffmpeg. It defines no symbol:
 * the loader binds libavdevice's calls into these libraries lazily, on a first call that vodflow never
 * makes, so ffmpeg and ffprobe run on a machine with nothing beyond glibc. Written beside the
 * extracted libraries, they are found through the same library path and take precedence over any
 * system copy, so every machine runs ffmpeg the same way.
 */
final class DeviceLibraryStandIns {

    /** A library libavdevice needs, and the symbol versions its imports name. */
    record Library(String soname, List<String> versions) {}

    /**
     * What the org.bytedeco builds (ffmpeg 6 to 8) link beyond the C and C++ runtime. A jar ships some
     * of them for some architectures (VA-API and DRM on x86_64, ALSA on arm64): those are kept.
     * {@code BundledFfmpegTest} fails when a new build links something else.
     */
    static final List<Library> LIBRARIES = List.of(
            new Library("libpulse.so.0", List.of("PULSE_0")),
            new Library("libasound.so.2", List.of("ALSA_0.9", "ALSA_0.9.0rc4")),
            new Library("libxcb.so.1", List.of()),
            new Library("libxcb-shm.so.0", List.of()),
            new Library("libxcb-shape.so.0", List.of()),
            new Library("libxcb-xfixes.so.0", List.of()),
            new Library("libudev.so.1", List.of("LIBUDEV_183")),
            new Library("libva.so.2", List.of("VA_API_0.33.0")),
            new Library("libva-drm.so.2", List.of()),
            new Library("libdrm.so.2", List.of()));

    /** ELF machine numbers of the JavaCPP platforms that get stand-ins. */
    private static final Map<String, Short> MACHINES = Map.of("linux-x86_64", (short) 62, "linux-arm64", (short) 183);

    private static final int ELF_HEADER = 64;
    private static final int PROGRAM_HEADER = 56;
    private static final int SYMBOL = 24;
    private static final int DYNAMIC_ENTRY = 16;
    /** Alignment of the one loadable segment: 64 KiB suits kernels with 4 KiB and 64 KiB pages. */
    private static final long SEGMENT_ALIGNMENT = 0x10000;

    private static final long DT_NULL = 0;
    private static final long DT_HASH = 4;
    private static final long DT_STRTAB = 5;
    private static final long DT_SYMTAB = 6;
    private static final long DT_STRSZ = 10;
    private static final long DT_SYMENT = 11;
    private static final long DT_SONAME = 14;
    private static final long DT_VERSYM = 0x6ffffff0L;
    private static final long DT_VERDEF = 0x6ffffffcL;
    private static final long DT_VERDEFNUM = 0x6ffffffdL;

    private DeviceLibraryStandIns() {}

    /**
     * Writes into {@code directory}, which holds the extracted libraries of a JavaCPP platform, a
     * stand-in for each library it lacks; returns how many. Writes nothing where none are needed or
     * known (macOS, Windows, other Linux architectures).
     */
    static int write(Path directory, String platform) throws IOException {
        Optional<Short> machine = Optional.ofNullable(MACHINES.get(platform));
        if (machine.isEmpty()) {
            return 0;
        }
        int written = 0;
        for (Library library : LIBRARIES) {
            Path file = directory.resolve(library.soname());
            if (!Files.exists(file)) {
                Files.write(file, sharedObject(library, machine.get()));
                written++;
            }
        }
        return written;
    }

    /**
     * Writes the stand-ins at build time, for an image that runs the bundled ffmpeg without vodflow
     * extracting it (the native one: see the {@code container} profile in pom.xml). The arguments are
     * pairs of a directory holding a platform's unpacked libraries and its JavaCPP platform, e.g.
     * {@code target/ffmpeg/amd64 linux-x86_64}.
     */
    public static void main(String[] arguments) throws IOException {
        if (arguments.length == 0 || arguments.length % 2 != 0) {
            throw new IllegalArgumentException("Expected pairs of a directory and a JavaCPP platform");
        }
        for (int index = 0; index < arguments.length; index += 2) {
            Path directory = Path.of(arguments[index]);
            String platform = arguments[index + 1];
            if (!Files.isDirectory(directory) || !MACHINES.containsKey(platform)) {
                throw new IllegalArgumentException(
                        "No libraries in " + directory + ", or no stand-ins known for " + platform);
            }
            System.out.printf("Wrote %d stand-ins into %s%n", write(directory, platform), directory);
        }
    }

    /**
     * A little-endian ELF64 shared object: one read-write loadable segment holding the string table,
     * an empty symbol table and hash table, the version definitions and the dynamic section. The
     * segment is writable because older glibc releases relocate the dynamic section in place.
     */
    static byte[] sharedObject(Library library, short machine) {
        Strings strings = new Strings();
        int soname = strings.add(library.soname());
        List<Integer> versionNames =
                library.versions().stream().map(strings::add).toList();
        byte[] stringTable = strings.bytes();

        int symbolTable = align(ELF_HEADER + 2 * PROGRAM_HEADER + stringTable.length, 8);
        int hashTable = symbolTable + SYMBOL;
        int versionSymbols = hashTable + 16;
        int versionDefinitions = align(versionSymbols + 2, 8);
        boolean versioned = !versionNames.isEmpty();
        int versionDefinitionCount = versioned ? versionNames.size() + 1 : 0;
        int dynamic = align(versionDefinitions + versionDefinitionCount * 28, 8);
        List<long[]> entries = new ArrayList<>(List.of(
                new long[] {DT_SONAME, soname},
                new long[] {DT_STRTAB, ELF_HEADER + 2 * PROGRAM_HEADER},
                new long[] {DT_STRSZ, stringTable.length},
                new long[] {DT_SYMTAB, symbolTable},
                new long[] {DT_SYMENT, SYMBOL},
                new long[] {DT_HASH, hashTable}));
        if (versioned) {
            entries.add(new long[] {DT_VERSYM, versionSymbols});
            entries.add(new long[] {DT_VERDEF, versionDefinitions});
            entries.add(new long[] {DT_VERDEFNUM, versionDefinitionCount});
        }
        entries.add(new long[] {DT_NULL, 0});
        int size = dynamic + entries.size() * DYNAMIC_ENTRY;

        ByteBuffer elf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        writeHeader(elf, machine);
        writeProgramHeader(elf, 1, 6, 0, size, SEGMENT_ALIGNMENT); // PT_LOAD, read and write
        writeProgramHeader(elf, 2, 6, dynamic, entries.size() * DYNAMIC_ENTRY, 8); // PT_DYNAMIC
        elf.put(ELF_HEADER + 2 * PROGRAM_HEADER, stringTable);
        // The symbol table holds only the reserved null symbol (all zeros); the hash table has one
        // empty bucket and one chain entry, and the version table gives that symbol index 0.
        elf.putInt(hashTable, 1).putInt(hashTable + 4, 1);
        if (versioned) {
            List<Integer> names = new ArrayList<>(List.of(soname));
            names.addAll(versionNames);
            writeVersionDefinitions(elf, versionDefinitions, library, names);
        }
        for (int index = 0; index < entries.size(); index++) {
            elf.putLong(dynamic + index * DYNAMIC_ENTRY, entries.get(index)[0]);
            elf.putLong(dynamic + index * DYNAMIC_ENTRY + 8, entries.get(index)[1]);
        }
        return elf.array();
    }

    /** One version definition per name: the library's own (the base), then each symbol version. */
    private static void writeVersionDefinitions(ByteBuffer elf, int start, Library library, List<Integer> names) {
        List<String> texts = new ArrayList<>(List.of(library.soname()));
        texts.addAll(library.versions());
        for (int index = 0; index < names.size(); index++) {
            int at = start + index * 28;
            boolean last = index == names.size() - 1;
            elf.putShort(at, (short) 1) // vd_version
                    .putShort(at + 2, (short) (index == 0 ? 1 : 0)) // vd_flags: VER_FLG_BASE
                    .putShort(at + 4, (short) (index + 1)) // vd_ndx
                    .putShort(at + 6, (short) 1) // vd_cnt
                    .putInt(at + 8, (int) elfHash(texts.get(index)))
                    .putInt(at + 12, 20) // vd_aux: the name follows the definition
                    .putInt(at + 16, last ? 0 : 28) // vd_next
                    .putInt(at + 20, names.get(index)) // vda_name
                    .putInt(at + 24, 0); // vda_next
        }
    }

    private static void writeHeader(ByteBuffer elf, short machine) {
        elf.put(new byte[] {0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* little-endian */, 1 /* version */});
        elf.position(16);
        elf.putShort((short) 3) // ET_DYN
                .putShort(machine)
                .putInt(1) // EV_CURRENT
                .putLong(0) // no entry point
                .putLong(ELF_HEADER) // program headers follow the header
                .putLong(0) // no section headers
                .putInt(0) // flags
                .putShort((short) ELF_HEADER)
                .putShort((short) PROGRAM_HEADER)
                .putShort((short) 2)
                .putShort((short) 64)
                .putShort((short) 0)
                .putShort((short) 0);
    }

    /** The file is mapped at address 0, so every address in it equals its file offset. */
    private static void writeProgramHeader(ByteBuffer elf, int type, int flags, long offset, long size, long align) {
        elf.putInt(type)
                .putInt(flags)
                .putLong(offset)
                .putLong(offset)
                .putLong(offset)
                .putLong(size)
                .putLong(size)
                .putLong(align);
    }

    /** The System V ABI's hash of a symbol or version name. */
    static long elfHash(String name) {
        long hash = 0;
        for (byte b : name.getBytes(StandardCharsets.US_ASCII)) {
            hash = (hash << 4) + (b & 0xff);
            long high = hash & 0xf0000000L;
            if (high != 0) {
                hash ^= high >>> 24;
            }
            hash &= ~high & 0xffffffffL;
        }
        return hash;
    }

    private static int align(int offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    /** A string table: a leading empty string, then each string NUL-terminated at its offset. */
    private static final class Strings {
        private final StringBuilder text = new StringBuilder("\0");

        int add(String value) {
            int offset = text.length();
            text.append(value).append('\0');
            return offset;
        }

        byte[] bytes() {
            return text.toString().getBytes(StandardCharsets.US_ASCII);
        }
    }
}
