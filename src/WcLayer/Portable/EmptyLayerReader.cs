namespace WcLayer.Portable;

/// <summary>A layer without entries: a scratch layer that was never prepared has no changes.</summary>
internal sealed class EmptyLayerReader : ILayerReader
{
    public LayerEntry? Next() => null;

    public int Read(Span<byte> buffer) => 0;

    public LayerLinkInfo GetLinkInfo() => throw new InvalidOperationException("There is no current entry.");

    public void Dispose()
    {
    }
}
