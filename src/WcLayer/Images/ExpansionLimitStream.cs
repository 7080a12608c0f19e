namespace WcLayer.Images;

/// <summary>
/// Stops a decompression bomb: fails once the decompressed bytes pass the absolute limit, or pass the ratio limit
/// against the compressed bytes read so far (after a floor, so that small highly compressible layers pass).
/// </summary>
internal sealed class ExpansionLimitStream(Stream decompressed, Func<long> compressedBytesRead, ImageReadOptions options, string what) : ReadOnlyStream
{
    private long _total;

    public override int Read(Span<byte> buffer)
    {
        int read = decompressed.Read(buffer);
        Check(read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read = await decompressed.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Check(read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            decompressed.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Check(int read)
    {
        _total += read;
        if (_total > options.MaxLayerSize)
        {
            throw new InvalidDataException($"{what}: decompresses to more than {options.MaxLayerSize} bytes (ImageReadOptions.MaxLayerSize); refusing a possible decompression bomb.");
        }

        if (_total > options.ExpansionRatioFloor && _total / Math.Max(1, compressedBytesRead()) > options.MaxExpansionRatio)
        {
            throw new InvalidDataException($"{what}: decompresses to more than {options.MaxExpansionRatio} times its compressed size (ImageReadOptions.MaxExpansionRatio); refusing a possible decompression bomb.");
        }
    }
}
