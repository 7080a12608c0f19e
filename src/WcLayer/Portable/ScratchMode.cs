namespace WcLayer.Portable;

/// <summary>How the portable store makes a scratch layer's mount (<see cref="PortableLayerStore.PrepareLayer(string, IReadOnlyList{string})"/>).</summary>
public enum ScratchMode
{
    /// <summary>The cheapest mode this process and file system allow: <see cref="Overlay"/>, then <see cref="Reflink"/>, then <see cref="Copy"/>.</summary>
    Auto,

    /// <summary>
    /// overlayfs over the parents' <c>Files/</c> (Linux, as root): creating and mounting cost the same whatever the
    /// parents' size, and the diff reads only what changed.
    /// </summary>
    Overlay,

    /// <summary>A copy of the parents' merged view whose files share their data with the parents (<c>FICLONE</c>: btrfs, XFS).</summary>
    Reflink,

    /// <summary>A full copy of the parents' merged view: works everywhere, costs the parents' size in time and space.</summary>
    Copy,
}
