using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using WcLayer.Tests.Samples;
using WcLayer.Win32;

namespace WcLayer.Tests.Cli;

public partial class LsCommandTests : IClassFixture<SampleTar>
{
    private const string FileSddl = "O:BAG:SYD:(A;;FA;;;BA)(A;;FA;;;SY)(A;;0x1200a9;;;BU)";

    private static readonly string[] ExpectedNames =
    [
        "Files",
        "Files/Documents and Settings",
        "Files/Users",
        "Files/Users/All Users",
        "Files/Users/Public",
        "Files/Users/Public/win.ini",
        "Files/Windows",
        "Files/Windows/notepad.exe",
        "Files/Windows/System32",
        "Files/Windows/System32/notepad.exe",
        "Files/Windows/System32/drivers",
        "Files/Windows/System32/drivers/etc",
        "Files/Windows/System32/drivers/etc/hosts",
        "Files/Windows/System32/license.rtf",
        "Files/Windows/System32/sparse.dat",
        "Files/Windows/Temp",
        "Files/Windows/Temp/.wh.setup.log",
        "Files/Windows/win.ini",
        "Hives",
        "Hives/DefaultUser_Delta",
        "Hives/Sam_Delta",
        "Hives/Security_Delta",
        "Hives/Software_Delta",
        "Hives/System_Delta",
    ];

    private readonly SampleTar _sample;

    public LsCommandTests(SampleTar sample)
    {
        _sample = sample;
    }

    [Fact]
    public async Task TextListsOneLinePerEntryWithStreamsFolded()
    {
        CliResult result = await CliRunner.RunAsync(["ls", _sample.PlainPath]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
        Assert.Equal(ExpectedNames.Length, result.OutputLines.Length);
        for (int i = 0; i < ExpectedNames.Length; i++)
        {
            Assert.Contains(" " + ExpectedNames[i], result.OutputLines[i], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TextShowsTypeAttributesSizeTimeTargetAndStreams()
    {
        CliResult result = await CliRunner.RunAsync(["ls", _sample.PlainPath]);
        string[] lines = result.OutputLines;

        Assert.Equal("d D--------             - 2022-08-09T10:11:12Z Files", lines[0]);
        Assert.Equal(@"j D-HS-L--N             - 2022-08-09T10:11:12Z Files/Documents and Settings -> C:\Users", lines[1]);
        Assert.Equal(@"l D-HS-L--N             - 2022-08-09T10:11:12Z Files/Users/All Users -> C:\ProgramData", lines[3]);
        Assert.Equal(@"l ----AL---             - 2022-08-09T10:11:12Z Files/Users/Public/win.ini -> ..\..\Windows\win.ini", lines[5]);
        Assert.Equal("h ----A----             - 2022-08-09T10:11:12Z Files/Windows/System32/notepad.exe -> Files/Windows/notepad.exe", lines[9]);
        Assert.Equal("- -RHSA----            30 2022-08-09T10:11:12Z Files/Windows/System32/license.rtf", lines[13]);
        Assert.Equal("- ----A-P--         65536 2022-08-09T10:11:12Z Files/Windows/System32/sparse.dat", lines[14]);
        Assert.Equal("w                       -                      Files/Windows/Temp/.wh.setup.log", lines[16]);
        Assert.Equal("- ----A----            49 2022-08-09T10:11:12Z Files/Windows/win.ini  [:Zone.Identifier 26]", lines[17]);
    }

    [Fact]
    public async Task TextColumnsAreAligned()
    {
        CliResult result = await CliRunner.RunAsync(["ls", _sample.PlainPath]);

        int nameColumn = result.OutputLines[0].IndexOf("Files", StringComparison.Ordinal);
        for (int i = 0; i < ExpectedNames.Length; i++)
        {
            Assert.Equal(nameColumn, result.OutputLines[i].IndexOf(ExpectedNames[i], StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task JsonListsEveryEntryInOrder()
    {
        List<JsonElement> entries = await ListJsonAsync(_sample.PlainPath);

        Assert.Equal(ExpectedNames, entries.Select(e => e.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task JsonHasExactlyTheFieldsThatApplyToEachType()
    {
        List<JsonElement> entries = await ListJsonAsync(_sample.PlainPath);
        string[] times = ["creationTime", "lastAccessTime", "lastWriteTime", "changeTime"];
        string[] security = ["securityDescriptor", "sddl"];
        string[] common = ["name", "type", "attributes", .. times];
        var expected = new Dictionary<string, string[]>
        {
            ["file"] = [.. common, "size", .. security, "streams", "eas"],
            ["dir"] = [.. common, .. security, "streams", "eas"],
            ["symlink"] = [.. common, .. security, "streams", "eas", "reparseTarget"],
            ["junction"] = [.. common, .. security, "streams", "eas", "reparseTarget"],
            ["hardlink"] = [.. common, "linkTarget"],
            ["whiteout"] = ["name", "type"],
        };

        Assert.Equal(expected.Keys.Order(), entries.Select(e => e.GetProperty("type").GetString()!).Distinct().Order());
        foreach (JsonElement entry in entries.Where(e => !e.GetProperty("name").GetString()!.StartsWith("Hives", StringComparison.Ordinal)))
        {
            string type = entry.GetProperty("type").GetString()!;
            Assert.Equal(expected[type].Order(), entry.EnumerateObject().Select(p => p.Name).Order());
        }
    }

    [Fact]
    public async Task JsonOmitsUnsetTimesAndAbsentSecurityDescriptors()
    {
        List<JsonElement> entries = await ListJsonAsync(_sample.PlainPath);
        JsonElement hive = entries.Single(e => e.GetProperty("name").GetString() == "Hives/Software_Delta");

        Assert.Equal(
            new[] { "name", "type", "size", "attributes", "creationTime", "lastWriteTime", "streams", "eas" }.Order(),
            hive.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(4096, hive.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task JsonTimesAreUtcWithSevenFractionalDigits()
    {
        List<JsonElement> entries = await ListJsonAsync(_sample.PlainPath);
        JsonElement first = entries[0];

        Assert.Equal("2021-03-04T05:06:07.1234567Z", first.GetProperty("creationTime").GetString());
        Assert.Equal("2023-01-02T03:04:05.0000001Z", first.GetProperty("lastAccessTime").GetString());
        Assert.Equal("2022-08-09T10:11:12.7654321Z", first.GetProperty("lastWriteTime").GetString());
        Assert.Equal("2022-08-09T10:11:13.5000000Z", first.GetProperty("changeTime").GetString());
        foreach (JsonProperty time in entries.SelectMany(e => e.EnumerateObject()).Where(p => p.Name.EndsWith("Time", StringComparison.Ordinal)))
        {
            Assert.Matches(IsoTime(), time.Value.GetString()!);
        }
    }

    [Fact]
    public async Task JsonCarriesTheWindowsMetadata()
    {
        List<JsonElement> entries = await ListJsonAsync(_sample.PlainPath);
        JsonElement Entry(string name) => entries.Single(e => e.GetProperty("name").GetString() == name);

        JsonElement winIni = Entry("Files/Windows/win.ini");
        Assert.Equal(49, winIni.GetProperty("size").GetInt64());
        Assert.Equal((uint)FileAttributes.Archive, winIni.GetProperty("attributes").GetUInt32());
        Assert.Equal(Convert.ToBase64String(SampleLayer.FileSecurityDescriptor), winIni.GetProperty("securityDescriptor").GetString());
        JsonElement stream = Assert.Single(winIni.GetProperty("streams").EnumerateArray());
        Assert.Equal("Zone.Identifier", stream.GetProperty("name").GetString());
        Assert.Equal(26, stream.GetProperty("size").GetInt64());

        JsonElement hosts = Entry("Files/Windows/System32/drivers/etc/hosts");
        JsonElement[] eas = [.. hosts.GetProperty("eas").EnumerateArray()];
        Assert.Equal(["$KERNEL.PURGE.APPXFICACHE", "SAMPLE.NOTE"], eas.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(0, eas[1].GetProperty("flags").GetInt32());
        Assert.Equal("edited by the sample", Encoding.UTF8.GetString(eas[1].GetProperty("value").GetBytesFromBase64()));

        Assert.Equal(Convert.ToBase64String(SampleLayer.DirectorySecurityDescriptor), Entry("Files").GetProperty("securityDescriptor").GetString());
        Assert.Equal(@"C:\Users", Entry("Files/Documents and Settings").GetProperty("reparseTarget").GetString());
        Assert.Equal(@"C:\ProgramData", Entry("Files/Users/All Users").GetProperty("reparseTarget").GetString());
        Assert.Equal("Files/Windows/notepad.exe", Entry("Files/Windows/System32/notepad.exe").GetProperty("linkTarget").GetString());
        Assert.Equal(
            (uint)(FileAttributes.ReadOnly | FileAttributes.Hidden | FileAttributes.System | FileAttributes.Archive),
            Entry("Files/Windows/System32/license.rtf").GetProperty("attributes").GetUInt32());
        Assert.Equal(SampleLayer.SparseFileSize, Entry("Files/Windows/System32/sparse.dat").GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task JsonSddlIsTheDescriptorAsText()
    {
        List<JsonElement> entries = await ListJsonAsync(_sample.PlainPath);
        JsonElement winIni = entries.Single(e => e.GetProperty("name").GetString() == "Files/Windows/win.ini");
        Assert.Equal(FileSddl, winIni.GetProperty("sddl").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GzipInputIsDetectedByItsMagicBytes(bool json)
    {
        string[] options = json ? ["--json"] : [];
        CliResult plain = await CliRunner.RunAsync(["ls", .. options, _sample.PlainPath]);
        CliResult gzip = await CliRunner.RunAsync(["ls", .. options, _sample.GzipPath]);

        Assert.Equal(0, gzip.ExitCode);
        Assert.Equal(plain.Output, gzip.Output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DashReadsStandardInput(bool gzip)
    {
        CliResult fromFile = await CliRunner.RunAsync(["ls", _sample.PlainPath]);
        CliResult fromStdin = await CliRunner.RunAsync(["ls", "-"], gzip ? _sample.GzipBytes : _sample.Bytes);

        Assert.Equal(0, fromStdin.ExitCode);
        Assert.Equal(fromFile.Output, fromStdin.Output);
    }

    [Fact]
    public async Task TruncatedTarFailsWithOneLineAndAFinalJsonError()
    {
        // Cut inside the data of an entry past the first few, so some entries list before the failure.
        byte[] truncated = _sample.Bytes[..(_sample.Bytes.Length / 2 + 100)];
        CliResult result = await CliRunner.RunAsync(["ls", "--json", "-"], truncated);

        Assert.Equal(1, result.ExitCode);
        string error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("wclayer ls: (stdin): ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        string[] lines = result.OutputLines;
        Assert.True(lines.Length > 1);
        using JsonDocument last = JsonDocument.Parse(lines[^1]);
        JsonProperty property = Assert.Single(last.RootElement.EnumerateObject());
        Assert.Equal("error", property.Name);
        Assert.Equal(error["wclayer ls: ".Length..], property.Value.GetString());
        foreach (string line in lines[..^1])
        {
            using JsonDocument entry = JsonDocument.Parse(line);
            Assert.True(entry.RootElement.TryGetProperty("name", out _));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GarbageFailsWithOneLine(bool json)
    {
        byte[] garbage = new byte[4096];
        new Random(42).NextBytes(garbage);
        string[] options = json ? ["--json"] : [];
        CliResult result = await CliRunner.RunAsync(["ls", .. options, "-"], garbage);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.ErrorLines);
        if (json)
        {
            using JsonDocument last = JsonDocument.Parse(Assert.Single(result.OutputLines));
            Assert.True(last.RootElement.TryGetProperty("error", out _));
        }
        else
        {
            Assert.Equal(string.Empty, result.Output);
        }
    }

    [Fact]
    public async Task TruncatedGzipFailsWithOneLine()
    {
        CliResult result = await CliRunner.RunAsync(["ls", "-"], _sample.GzipBytes[..(_sample.GzipBytes.Length / 2)]);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.ErrorLines);
    }

    [Fact]
    public async Task MissingFileFailsWithOneLine()
    {
        string missing = Path.Combine(_sample.Directory, "no-such-layer.tar");
        CliResult result = await CliRunner.RunAsync(["ls", "--json", missing]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"wclayer ls: {missing}: no such file", Assert.Single(result.ErrorLines));
        using JsonDocument last = JsonDocument.Parse(Assert.Single(result.OutputLines));
        Assert.Equal($"{missing}: no such file", last.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task VerboseShowsTheStackTrace()
    {
        CliResult result = await CliRunner.RunAsync(["ls", "--verbose", "-"], [1, 2, 3]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyArchiveListsNothing()
    {
        CliResult result = await CliRunner.RunAsync(["ls", "-"], new byte[1024]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
    }

    [Fact]
    public async Task HelpDocumentsTheColumns()
    {
        CliResult result = await CliRunner.RunAsync(["ls", "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("R read-only", result.Output, StringComparison.Ordinal);
        Assert.Contains("--json", result.Output, StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> ListJsonAsync(string path)
    {
        CliResult result = await CliRunner.RunAsync(["ls", "--json", path]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
        return [.. result.OutputLines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")]
    private static partial Regex IsoTime();
}
