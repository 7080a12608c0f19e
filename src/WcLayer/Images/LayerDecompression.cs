using System.IO.Compression;
using ZstdSharp;

namespace WcLayer.Images;

/// <summary>Recognizes a layer blob's compression by its first bytes (media types lie: Docker labels plain tars <c>.tar.gzip</c>) and undoes it.</summary>
internal static class LayerDecompression
{
    private const int BufferSize = 1 << 20;

    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];

    private static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xb5, 0x2f, 0xfd];

    /// <summary>Detects the compression of a seekable blob from its first bytes, leaving it at its start.</summary>
    public static LayerCompression Detect(Stream seekableBlob)
    {
        Span<byte> magic = stackalloc byte[4];
        int read = seekableBlob.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        seekableBlob.Position = 0;
        ReadOnlySpan<byte> head = magic[..read];
        return head.StartsWith(GzipMagic) ? LayerCompression.Gzip
            : head.StartsWith(ZstdMagic) ? LayerCompression.Zstd
            : LayerCompression.None;
    }

    /// <summary>The uncompressed bytes of <paramref name="blob"/>.</summary>
    public static Stream Decompress(Stream blob, LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => new GZipStream(new BufferedStream(blob, BufferSize), CompressionMode.Decompress),
        LayerCompression.Zstd => new DecompressionStream(new BufferedStream(blob, BufferSize), BufferSize),
        _ => new BufferedStream(blob, BufferSize),
    };

    /// <summary>A stream that compresses into <paramref name="output"/>.</summary>
    public static Stream Compress(Stream output, LayerCompression compression, bool leaveOpen) => compression switch
    {
        LayerCompression.Gzip => new GZipStream(output, CompressionLevel.Fastest, leaveOpen),
        LayerCompression.Zstd => new CompressionStream(output, level: 3, bufferSize: BufferSize, leaveOpen: leaveOpen),
        _ => new NonClosingStream(output, leaveOpen),
    };

    /// <summary>The media type of an OCI layer with this compression.</summary>
    public static string MediaType(LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => ImageMediaTypes.OciLayerGzip,
        LayerCompression.Zstd => ImageMediaTypes.OciLayerZstd,
        _ => ImageMediaTypes.OciLayer,
    };

    /// <summary>Passes writes through; disposes the output only when asked to.</summary>
    private sealed class NonClosingStream(Stream output, bool leaveOpen) : WriteOnlyStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => output.Write(buffer);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            output.WriteAsync(buffer, cancellationToken);

        public override void Flush() => output.Flush();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !leaveOpen)
            {
                output.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
