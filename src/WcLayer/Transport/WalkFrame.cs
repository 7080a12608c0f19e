namespace WcLayer.Transport;

/// <summary>One directory of a depth-first walk of a layer folder: its children in walk order and how far the walk got.</summary>
internal sealed class WalkFrame(string name, List<(string Name, bool IsDirectory)> children)
{
    public string Name { get; } = name;

    public List<(string Name, bool IsDirectory)> Children { get; } = children;

    public int Index { get; set; }
}
