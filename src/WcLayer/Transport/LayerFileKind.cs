namespace WcLayer.Transport;

/// <summary>What a path in a layer folder is, without following links.</summary>
internal enum LayerFileKind
{
    File,
    Directory,
    SymbolicLink,
    Other,
}
