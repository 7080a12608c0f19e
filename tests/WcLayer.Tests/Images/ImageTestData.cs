using WcLayer.Tests.Cli;
using WcLayer.Tests.Samples;

namespace WcLayer.Tests.Images;

/// <summary>The layer tars the image tests stack: a base, and the sample on it (a whiteout of a base file and a hard link).</summary>
public static class ImageTestData
{
    private static readonly Lazy<Task<(byte[] Base, byte[] Top)>> Tars = new(async () => (await LayerTars.CreateBaseAsync(), await SampleLayer.CreateAsync()));

    public static async Task<byte[]> BaseAsync() => (await Tars.Value).Base;

    public static async Task<byte[]> TopAsync() => (await Tars.Value).Top;
}
