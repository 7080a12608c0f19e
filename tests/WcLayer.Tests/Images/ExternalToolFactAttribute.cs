namespace WcLayer.Tests.Images;

/// <summary>
/// A test that runs a real client (skopeo, umoci, oci-image-tool). Skipped when the tool is missing on a developer
/// machine; in CI (CI=true, where .ci/install-deps.sh installs them) it runs regardless and a missing tool fails it.
/// </summary>
public sealed class ExternalToolFactAttribute : FactAttribute
{
    public ExternalToolFactAttribute(params string[] tools)
    {
        if (Environment.GetEnvironmentVariable("CI") != "true" && tools.FirstOrDefault(t => ExternalTool.Find(t) is null) is { } missing)
        {
            Skip = $"{missing} is not installed (bash .ci/install-deps.sh installs it; in CI this test fails instead of skipping).";
        }
    }
}
