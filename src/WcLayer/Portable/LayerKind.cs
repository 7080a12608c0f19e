namespace WcLayer.Portable;

/// <summary>What a folder of the portable store holds.</summary>
internal enum LayerKind
{
    /// <summary>A read-only layer in the transport format.</summary>
    ReadOnly,

    /// <summary>A writable scratch layer.</summary>
    Scratch,
}
