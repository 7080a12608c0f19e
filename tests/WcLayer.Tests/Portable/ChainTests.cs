using WcLayer.Portable;
using WcLayer.Tests.Cli;

namespace WcLayer.Tests.Portable;

/// <summary>A scratch layer records its chain; another chain is an error that names both, and no chain means the recorded one.</summary>
public sealed class ChainTests : IDisposable
{
    private readonly StoreFixture _store = new(ScratchMode.Copy);

    public void Dispose() => _store.Dispose();

    [Fact]
    public void WrongOrderIsAnErrorNamingBothChains()
    {
        _store.Layer("base", [], "f:a=1");
        _store.Layer("child", ["base"], "f:b=2");
        string scratch = _store.PathOf("s");
        _store.Store.CreateScratchLayer(scratch, [_store.PathOf("child"), _store.PathOf("base")]);
        _store.Store.ActivateLayer(scratch);

        var e = Assert.Throws<HcsException>(() => _store.Store.PrepareLayer(scratch, [_store.PathOf("base"), _store.PathOf("child")]));
        Assert.Contains($"[{_store.PathOf("base")}, {_store.PathOf("child")}]", e.Message, StringComparison.Ordinal);
        Assert.Contains($"[{_store.PathOf("child")}, {_store.PathOf("base")}]", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(scratch, "mount")));

        Assert.Throws<HcsException>(() => _store.Store.NewLayerReader(scratch, [_store.PathOf("base")]));
        Assert.Throws<HcsException>(() => _store.Store.ExportLayer(scratch, _store.PathOf("out"), [_store.PathOf("child")]));
        Assert.Throws<HcsException>(() => _store.Store.NewLayerReader(_store.PathOf("child"), [_store.PathOf("child")]));
    }

    [Fact]
    public void NoChainMeansTheRecordedOne()
    {
        _store.Layer("base", [], "f:a=1");
        _store.Layer("child", ["base"], "f:b=2");
        string scratch = _store.PathOf("s");
        _store.Store.CreateScratchLayer(scratch, [_store.PathOf("child"), _store.PathOf("base")]);
        _store.Store.ActivateLayer(scratch);
        _store.Store.PrepareLayer(scratch, []);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, StoreFixture.View(_store.Store.GetLayerMountPath(scratch)));
        Assert.Equal([_store.PathOf("child"), _store.PathOf("base")], _store.Store.GetRecordedChain(scratch));
    }

    [Fact]
    public async Task CliMountDefaultsToTheRecordedChainAndRefusesAnother()
    {
        using var temp = new TempFolder();
        await File.WriteAllBytesAsync(temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", temp["base.tar"], temp["base"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", temp["base.tar"], "-l", temp["base"], temp["other"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["create", "-l", temp["base"], temp["scratch"]])).ExitCode);

        CliResult wrong = await CliRunner.RunAsync(["mount", "-l", temp["other"], temp["scratch"]]);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains(temp["other"], Assert.Single(wrong.ErrorLines), StringComparison.Ordinal);
        Assert.Contains(temp["base"], wrong.ErrorLines[0], StringComparison.Ordinal);

        CliResult mount = await CliRunner.RunAsync(["mount", "--mode", "copy", temp["scratch"]]);
        Assert.Equal(0, mount.ExitCode);
        Assert.Equal(Path.Combine(temp["scratch"], "mount"), mount.Output.Trim());
        Assert.Equal("wclayer mount: copy mode", Assert.Single(mount.ErrorLines));
        Assert.Equal(0, (await CliRunner.RunAsync(["unmount", temp["scratch"]])).ExitCode);
    }
}
