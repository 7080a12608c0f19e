namespace WcLayer.Portable;

/// <summary>Options of <see cref="PortableLayerStore"/>.</summary>
public sealed class PortableLayerStoreOptions
{
    /// <summary>
    /// Converts a layer folder's base name to its HCS GUID. HCS's algorithm is private to vmcompute.dll and cannot be
    /// computed elsewhere, so without this function <see cref="PortableLayerStore.NameToGuid"/> and
    /// <see cref="PortableLayerStore.LayerId"/> throw <see cref="PlatformNotSupportedException"/> rather than invent
    /// GUIDs that would differ from Windows. Supply, for example, a table captured on a Windows host.
    /// </summary>
    public Func<string, Guid>? NameToGuid { get; init; }

    /// <summary>The folder whose base layers <see cref="PortableLayerStore.GetSharedBaseImages"/> lists; <see langword="null"/> lists none.</summary>
    public string? BaseImagesRoot { get; init; }

    /// <summary>How long an operation waits for another one on the same layer to finish before it fails with <c>ERROR_SHARING_VIOLATION</c>.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How scratch layers are mounted; <see cref="ScratchMode.Auto"/> (the default) picks the cheapest mode available.
    /// A scratch layer keeps the mode of its first <see cref="PortableLayerStore.PrepareLayer(string, IReadOnlyList{string})"/>.
    /// </summary>
    public ScratchMode ScratchMode { get; init; }
}
