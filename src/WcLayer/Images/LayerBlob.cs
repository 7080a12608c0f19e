namespace WcLayer.Images;

/// <summary>A layer blob written by <see cref="LayerBlob.WriteAsync"/>: its descriptor and its <c>diff_id</c>.</summary>
/// <param name="Descriptor">The compressed blob's descriptor.</param>
/// <param name="DiffId">The digest of the uncompressed tar.</param>
internal sealed record LayerBlob(ImageDescriptor Descriptor, Digest DiffId)
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Writes a layer tar compressed into <paramref name="blob"/>, computing the blob's digest and size and the tar's
    /// <c>diff_id</c> in the same pass (the tar is never held, nor written twice).
    /// </summary>
    public static async Task<LayerBlob> WriteAsync(Func<Stream, CancellationToken, Task> writeTar, Stream blob, LayerCompression compression, CancellationToken cancellationToken)
    {
        using var compressed = new HashingWriteStream(blob, leaveOpen: true);
        Digest diffId;
        Stream compressor = LayerDecompression.Compress(compressed, compression, leaveOpen: true);
        try
        {
            // Disposing the buffer disposes the hash under it: read the diff_id before.
            var uncompressed = new HashingWriteStream(compressor, leaveOpen: true);
            var buffered = new BufferedStream(uncompressed, BufferSize);
            await using (buffered.ConfigureAwait(false))
            {
                await writeTar(buffered, cancellationToken).ConfigureAwait(false);
                await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
                diffId = uncompressed.Digest;
            }
        }
        finally
        {
            // Ends the compressed stream (gzip trailer, zstd epilogue), so the blob's digest covers all of it.
            await compressor.DisposeAsync().ConfigureAwait(false);
        }

        await compressed.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new LayerBlob(new ImageDescriptor(LayerDecompression.MediaType(compression), compressed.Digest, compressed.BytesWritten), diffId);
    }
}
