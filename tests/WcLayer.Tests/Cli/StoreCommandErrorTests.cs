namespace WcLayer.Tests.Cli;

/// <summary>Failures of the store commands: one line on standard error, exit code 1, nothing left behind.</summary>
public sealed class StoreCommandErrorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ImportOntoAnExistingLayerFails()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);

        CliResult again = await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]]);

        Assert.Equal(1, again.ExitCode);
        string line = Assert.Single(again.ErrorLines);
        Assert.StartsWith("wclayer import: ", line, StringComparison.Ordinal);
        Assert.Equal($"wclayer import: the layer {_temp["base"]} already exists; remove it with 'wclayer remove' or choose another path", line);
        Assert.Equal(0, (await CliRunner.RunAsync(["ls", _temp["base"]])).ExitCode);
    }

    [Fact]
    public async Task ImportWithAMissingParentFailsAndLeavesNothing()
    {
        await File.WriteAllBytesAsync(_temp["child.tar"], await Samples.SampleLayer.CreateAsync());

        CliResult result = await CliRunner.RunAsync(["import", "-l", _temp["missing"], "-i", _temp["child.tar"], _temp["child"]]);

        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.ErrorLines);
        Assert.Equal($"wclayer import: no such layer: {_temp["missing"]} does not exist", line);
        Assert.Equal(["child.tar"], _temp.Contents());
    }

    [Fact]
    public async Task ImportOfABadTarLeavesNothing()
    {
        await File.WriteAllBytesAsync(_temp["bad.tar"], [1, 2, 3]);

        CliResult result = await CliRunner.RunAsync(["import", "-i", _temp["bad.tar"], _temp["layer"]]);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Equal(["bad.tar"], _temp.Contents());
    }

    [Fact]
    public async Task ExportOfAMissingLayerFailsAndDeletesThePartialOutput()
    {
        CliResult result = await CliRunner.RunAsync(["export", "-o", _temp["out.tar"], _temp["missing"]]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("wclayer export: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(_temp["out.tar"]));
    }

    [Fact]
    public async Task CreateNeedsAParent()
    {
        // mount does not: it defaults to the chain create recorded (ChainTests).
        CliResult result = await CliRunner.RunAsync(["create", _temp["scratch"]]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("at least one read-only layer must be specified", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoveOfAMountedScratchFails()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]]);
        await CliRunner.RunAsync(["create", "-l", _temp["base"], _temp["scratch"]]);
        await CliRunner.RunAsync(["mount", "-l", _temp["base"], _temp["scratch"]]);

        CliResult result = await CliRunner.RunAsync(["remove", _temp["scratch"]]);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.True(Directory.Exists(_temp["scratch"]));
    }

    [Fact]
    public async Task NameToGuidSaysWhyItCannotWorkHere()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // HCS computes it there.
        }

        CliResult result = await CliRunner.RunAsync(["nametoguid", "layer"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("wclayer nametoguid: ", line, StringComparison.Ordinal);
        Assert.Contains("vmcompute.dll", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MakeBaseLayerOfALayerWithoutHivesFails()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]]);

        CliResult result = await CliRunner.RunAsync(["makebaselayer", _temp["base"]]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("registry hive", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
