using System.IO.Compression;
using WcLayer.Oci;

namespace WcLayer.Cli;

/// <summary>Opens a layer tar given on the command line: a path or <c>-</c> for standard input, plain or gzip-compressed.</summary>
internal static class TarInput
{
    /// <summary>The path that stands for standard input.</summary>
    public const string StandardInputPath = "-";

    // Pipes deliver small chunks; a large buffer keeps the tar reader's 512-byte reads from becoming syscalls.
    private const int BufferSize = 1 << 20;

    private const int MagicLength = 6;

    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];

    /// <summary>Opens <paramref name="path"/> for sequential reading, decompressing gzip detected by its magic bytes.</summary>
    /// <param name="path">A file path, or <c>-</c>.</param>
    /// <param name="openStandardInput">Opens standard input.</param>
    /// <returns>The uncompressed tar bytes.</returns>
    /// <exception cref="InvalidDataException">The input is compressed in a format other than gzip, or does not start with a tar header.</exception>
    public static Stream Open(string path, Func<Stream> openStandardInput) => Open(path, openStandardInput, digests: null);

    /// <summary>As <see cref="Open(string, Func{Stream})"/>, computing the digests of the input and of the tar in it on the way.</summary>
    /// <param name="path">A file path, or <c>-</c>.</param>
    /// <param name="openStandardInput">Opens standard input.</param>
    /// <param name="digests">Receives the digesting streams; <see langword="null"/> computes none.</param>
    /// <returns>The uncompressed tar bytes.</returns>
    public static Stream Open(string path, Func<Stream> openStandardInput, LayerTarDigests? digests)
    {
        Stream raw = path == StandardInputPath
            ? openStandardInput()
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        try
        {
            Stream input = new BufferedStream(digests is null ? raw : digests.Blob = new DigestingStream(raw), BufferSize);
            Stream tar = DecompressIfGzip(input, path);
            return RequireTarHeader(digests is null ? tar : digests.Tar = new DigestingStream(tar), path);
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }

    /// <summary>Describes <paramref name="path"/> for messages.</summary>
    /// <param name="path">A file path, or <c>-</c>.</param>
    /// <returns>The path, or <c>(stdin)</c>.</returns>
    public static string Describe(string path) => path == StandardInputPath ? "(stdin)" : path;

    private static Stream DecompressIfGzip(Stream input, string path)
    {
        byte[] magic = new byte[MagicLength];
        int length = input.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        ReadOnlySpan<byte> head = magic.AsSpan(0, length);
        if (CompressionFormats.Name(head) is { } format)
        {
            throw new InvalidDataException(
                $"{Describe(path)} is {format}-compressed; wclayer reads tars that are plain or gzip-compressed: decompress it first ({format} -d)");
        }

        var whole = new PrefixedStream(magic.AsMemory(0, length), input);
        return head.StartsWith(GzipMagic) ? new BufferedStream(new GZipStream(whole, CompressionMode.Decompress), BufferSize) : whole;
    }

    // System.Formats.Tar reports a text file as "Unable to parse number." for entry 1; say what the file is not.
    private static PrefixedStream RequireTarHeader(Stream tar, string path)
    {
        byte[] block = new byte[TarHeaderChecksum.BlockSize];
        int length = tar.ReadAtLeast(block, block.Length, throwOnEndOfStream: false);
        if (length == block.Length && !TarHeaderChecksum.IsValidOrZero(block))
        {
            throw new InvalidDataException(
                $"{Describe(path)} is not a tar archive: its first 512 bytes are not a tar header (wclayer reads layer tars, plain or gzip-compressed)");
        }

        return new PrefixedStream(block.AsMemory(0, length), tar);
    }
}
