using WcLayer.Tests.Cli;
using WcLayer.Tests.Samples;

namespace WcLayer.Tests.Portable;

/// <summary>The CLI's scratch scenario end to end in each mode (<c>wclayer mount --mode</c>): the same diff either way.</summary>
public sealed class CliScratchModeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("overlay")]
    [InlineData("copy")]
    public async Task EditsExportAsTheirDifferenceWithTheParentsMetadata(string mode)
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        await File.WriteAllBytesAsync(_temp["child.tar"], await SampleLayer.CreateAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-l", _temp["base"], "-i", _temp["child.tar"], _temp["child"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["create", "-l", _temp["child"], "-l", _temp["base"], _temp["scratch"]])).ExitCode);

        CliResult mount = await CliRunner.RunAsync(["mount", "--mode", mode, _temp["scratch"]]);
        Assert.Equal(0, mount.ExitCode);
        Assert.Equal($"wclayer mount: {mode} mode", Assert.Single(mount.ErrorLines));
        string root = mount.Output.Trim();

        Assert.False(File.Exists(Path.Combine(root, "Windows/Temp/setup.log")));
        await File.WriteAllTextAsync(Path.Combine(root, "Windows/new.txt"), "added\n");
        await File.WriteAllTextAsync(Path.Combine(root, "Windows/win.ini"), "[changed]\n");
        File.Delete(Path.Combine(root, "Windows/System32/drivers/etc/hosts"));
        File.Move(Path.Combine(root, "Windows/System32/license.rtf"), Path.Combine(root, "Windows/license.rtf"));
        Assert.Equal(0, (await CliRunner.RunAsync(["unmount", _temp["scratch"]])).ExitCode);

        Assert.Equal(0, (await CliRunner.RunAsync(["export", "-o", _temp["diff.tar"], _temp["scratch"]])).ExitCode);
        CliResult listed = await CliRunner.RunAsync(["ls", _temp["diff.tar"]]);
        Assert.Equal(
            [
                "d Files",
                "d Files/Windows",
                "d Files/Windows/System32",
                "w Files/Windows/System32/.wh.license.rtf",
                "d Files/Windows/System32/drivers",
                "d Files/Windows/System32/drivers/etc",
                "w Files/Windows/System32/drivers/etc/.wh.hosts",
                "- Files/Windows/license.rtf",
                "- Files/Windows/new.txt",
                "- Files/Windows/win.ini  [:Zone.Identifier 26]",
            ],
            listed.OutputLines.Select(line => line[0] + " " + line[47..]));

        // The moved file kept its security descriptor through the rename, as the changed one did.
        string[] diffEntries = await LayerTars.DescribeAsync(await File.ReadAllBytesAsync(_temp["diff.tar"]));
        string[] childEntries = await LayerTars.DescribeAsync(await SampleLayer.CreateAsync());
        Assert.Equal(SecurityDescriptorOf(childEntries, "Files/Windows/win.ini"), SecurityDescriptorOf(diffEntries, "Files/Windows/win.ini"));
    }

    [Fact]
    public async Task UnmountRemovesOnlyTheLinkMountMade()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["create", "-l", _temp["base"], _temp["scratch"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["mount", _temp["scratch"], _temp["target"]])).ExitCode);
        Directory.CreateDirectory(_temp["canary"]);
        File.CreateSymbolicLink(_temp["other"], _temp["canary"]);

        CliResult wrong = await CliRunner.RunAsync(["unmount", _temp["scratch"], _temp["other"]]);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("nothing was removed", Assert.Single(wrong.ErrorLines), StringComparison.Ordinal);
        Assert.NotNull(new FileInfo(_temp["other"]).LinkTarget);

        Assert.Equal(0, (await CliRunner.RunAsync(["unmount", _temp["scratch"], _temp["target"]])).ExitCode);
        Assert.False(File.Exists(_temp["target"]) || Directory.Exists(_temp["target"]));
    }

    private static string SecurityDescriptorOf(string[] entries, string name) =>
        entries.Single(e => e.StartsWith(name + " ", StringComparison.Ordinal)).Split(" sd=")[1].Split(' ')[0];
}
