using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        internal const uint FormatMessageIgnoreInserts = 0x200;
        internal const uint FormatMessageFromSystem = 0x1000;
        internal const uint FormatMessageArgumentArray = 0x2000;

        /// <summary><c>MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)</c>.</summary>
        internal const uint LanguageEnglishUnitedStates = 0x409;

        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.Kernel32, EntryPoint = "FormatMessageW", SetLastError = true)]
        internal static unsafe partial uint FormatMessage(uint flags, nint source, uint messageId, uint languageId, char* buffer, uint size, nint arguments);
    }
}
