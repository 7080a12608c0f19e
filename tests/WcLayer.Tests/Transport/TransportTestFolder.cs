namespace WcLayer.Tests.Transport;

/// <summary>A temporary folder with a layer, its parent and a canary outside them that no operation may touch.</summary>
public sealed class TransportTestFolder : IDisposable
{
    public TransportTestFolder()
    {
        Root = Directory.CreateTempSubdirectory("wclayer-transport-").FullName;
        Layer = Path.Combine(Root, "layer");
        Parent = Path.Combine(Root, "parent");
        Canary = Path.Combine(Root, "canary");
        Directory.CreateDirectory(Layer);
        Directory.CreateDirectory(Parent);
        Directory.CreateDirectory(Canary);
        File.WriteAllText(Path.Combine(Canary, "secret"), "canary");
    }

    public string Root { get; }

    public string Layer { get; }

    public string Parent { get; }

    public string Canary { get; }

    public void AssertCanaryUntouched()
    {
        Assert.Equal(["secret"], Directory.GetFileSystemEntries(Canary).Select(Path.GetFileName));
        Assert.Equal("canary", File.ReadAllText(Path.Combine(Canary, "secret")));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
