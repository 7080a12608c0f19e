namespace WcLayer.Images;

/// <summary>One layer of an unpacked image.</summary>
/// <param name="Layer">The image's layer.</param>
/// <param name="Path">The layer folder in the store.</param>
/// <param name="Imported">Whether this unpack imported it (<see langword="false"/>: it was already there, shared).</param>
public sealed record UnpackedLayer(ImageLayer Layer, string Path, bool Imported);

/// <summary>The result of <see cref="ImageUnpacker.UnpackAsync"/>.</summary>
/// <param name="Layers">The layers, base layer first.</param>
public sealed record UnpackedImage(IReadOnlyList<UnpackedLayer> Layers)
{
    /// <summary>
    /// The layer folders in the order <c>wclayer create/mount -l</c> and <see cref="ILayerStore.CreateScratchLayer"/>
    /// take them: the top layer first, the base layer last.
    /// </summary>
    public IReadOnlyList<string> Chain => [.. Layers.Reverse().Select(l => l.Path)];
}
