namespace WcLayer.Cli;

/// <summary>Recognizes the compressed formats a layer tar is often delivered in but that the tool does not read, so the message can say which tool decompresses it.</summary>
internal static class CompressionFormats
{
    private static ReadOnlySpan<byte> Zstd => [0x28, 0xb5, 0x2f, 0xfd];

    private static ReadOnlySpan<byte> Xz => [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

    private static ReadOnlySpan<byte> Bzip2 => "BZh"u8;

    /// <summary>Names the format whose magic bytes start <paramref name="head"/> (its command-line tool's name), or <see langword="null"/>.</summary>
    /// <param name="head">The first bytes of the input.</param>
    /// <returns><c>zstd</c>, <c>xz</c>, <c>bzip2</c>, or <see langword="null"/>.</returns>
    public static string? Name(ReadOnlySpan<byte> head) =>
        head.StartsWith(Zstd) ? "zstd"
        : head.StartsWith(Xz) ? "xz"
        : head.StartsWith(Bzip2) ? "bzip2"
        : null;
}
