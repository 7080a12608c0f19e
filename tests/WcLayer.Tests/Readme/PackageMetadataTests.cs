using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace WcLayer.Tests.Readme;

/// <summary>What a package page shows: one version for both packages, and readmes that work there.</summary>
public sealed partial class PackageMetadataTests
{
    [Theory]
    [InlineData("src/WcLayer/PACKAGE.md")]
    [InlineData("src/WcLayer.Cli/PACKAGE.md")]
    public void PackageReadmesHaveOnlyAbsoluteLinksIntoTheRepositoryAndNoDotnetRun(string file)
    {
        string text = File.ReadAllText(Path.Combine(Root, file));
        string repository = Property("RepositoryUrl");

        Assert.DoesNotContain("dotnet run", text, StringComparison.Ordinal);
        MatchCollection links = MarkdownLink().Matches(text);
        Assert.NotEmpty(links);
        Assert.All(links, link => Assert.StartsWith(repository, link.Groups[1].Value, StringComparison.Ordinal));
    }

    [Fact]
    public void TheVersionIsSetOnceForBothPackages()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+$", Property("Version"));
        foreach (string project in new[] { "src/WcLayer/WcLayer.csproj", "src/WcLayer.Cli/WcLayer.Cli.csproj" })
        {
            XDocument csproj = XDocument.Load(Path.Combine(Root, project));
            Assert.Empty(csproj.Descendants("Version"));
            Assert.Empty(csproj.Descendants("PackageVersion"));
        }
    }

    private static string Root
    {
        get
        {
            for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
            {
                if (File.Exists(Path.Combine(directory, "WcLayer.slnx")))
                {
                    return directory;
                }
            }

            throw new InvalidOperationException("WcLayer.slnx not found above the test folder");
        }
    }

    private static string Property(string name) =>
        XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants(name).Single().Value;

    [GeneratedRegex(@"\]\(([^)]+)\)")]
    private static partial Regex MarkdownLink();
}
