namespace WcLayer.Oci;

/// <summary>
/// A read-only stream over the current entry of an <see cref="ILayerReader"/>; seekable when the reader is an
/// <see cref="ISeekableLayerReader"/> that allows it for this entry.
/// </summary>
internal sealed class LayerEntryStream(ILayerReader reader) : Stream
{
    private readonly ISeekableLayerReader? _seekable = reader as ISeekableLayerReader;

    public override bool CanRead => true;

    public override bool CanSeek => _seekable is { CanSeekEntry: true };

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            ISeekableLayerReader seekable = RequireSeekable();
            long position = seekable.SeekEntry(0, SeekOrigin.Current);
            long length = seekable.SeekEntry(0, SeekOrigin.End);
            seekable.SeekEntry(position, SeekOrigin.Begin);
            return length;
        }
    }

    public override long Position
    {
        get => RequireSeekable().SeekEntry(0, SeekOrigin.Current);
        set => RequireSeekable().SeekEntry(value, SeekOrigin.Begin);
    }

    public override int Read(Span<byte> buffer) => reader.Read(buffer);

    public override int Read(byte[] buffer, int offset, int count) => reader.Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(reader.Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => RequireSeekable().SeekEntry(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private ISeekableLayerReader RequireSeekable() =>
        CanSeek ? _seekable! : throw new NotSupportedException("The layer reader cannot seek within this entry.");
}
