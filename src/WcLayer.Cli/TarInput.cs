using System.IO.Compression;

namespace WcLayer.Cli;

/// <summary>Opens a layer tar given on the command line: a path or <c>-</c> for standard input, plain or gzip-compressed.</summary>
internal static class TarInput
{
    /// <summary>The path that stands for standard input.</summary>
    public const string StandardInputPath = "-";

    // Pipes deliver small chunks; a large buffer keeps the tar reader's 512-byte reads from becoming syscalls.
    private const int BufferSize = 1 << 20;

    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];

    /// <summary>Opens <paramref name="path"/> for sequential reading, decompressing gzip detected by its magic bytes.</summary>
    /// <param name="path">A file path, or <c>-</c>.</param>
    /// <param name="openStandardInput">Opens standard input.</param>
    /// <returns>The uncompressed tar bytes.</returns>
    public static Stream Open(string path, Func<Stream> openStandardInput)
    {
        Stream raw = path == StandardInputPath
            ? openStandardInput()
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        return DecompressIfGzip(new BufferedStream(raw, BufferSize));
    }

    /// <summary>Describes <paramref name="path"/> for messages.</summary>
    /// <param name="path">A file path, or <c>-</c>.</param>
    /// <returns>The path, or <c>(stdin)</c>.</returns>
    public static string Describe(string path) => path == StandardInputPath ? "(stdin)" : path;

    private static Stream DecompressIfGzip(Stream input)
    {
        byte[] magic = new byte[GzipMagic.Length];
        int length = input.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        var whole = new PrefixedStream(magic.AsMemory(0, length), input);
        if (!magic.AsSpan(0, length).SequenceEqual(GzipMagic))
        {
            return whole;
        }

        return new BufferedStream(new GZipStream(whole, CompressionMode.Decompress), BufferSize);
    }
}
