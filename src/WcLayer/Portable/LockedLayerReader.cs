namespace WcLayer.Portable;

/// <summary>A reader that holds its layers' shared locks until it is disposed, so no layer it reads changes or disappears meanwhile.</summary>
internal sealed class LockedLayerReader(ILayerReader inner, IDisposable locks) : ISeekableLayerReader
{
    public bool CanSeekEntry => inner is ISeekableLayerReader { CanSeekEntry: true };

    public LayerEntry? Next() => inner.Next();

    public int Read(Span<byte> buffer) => inner.Read(buffer);

    public LayerLinkInfo GetLinkInfo() => inner.GetLinkInfo();

    public long SeekEntry(long offset, SeekOrigin origin) =>
        inner is ISeekableLayerReader seekable ? seekable.SeekEntry(offset, origin) : throw new NotSupportedException("The layer reader cannot reposition within an entry.");

    public void Dispose()
    {
        try
        {
            inner.Dispose();
        }
        finally
        {
            locks.Dispose();
        }
    }
}
