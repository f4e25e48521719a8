import Foundation
import SextonCore
import Testing
@testable import SextonSidecar

@Suite struct ConfigurationSecretsTests {
    @Test func tokenFromFileIsTrimmed() throws {
        let fixture = try ConfigFixture()
        let tokenFile = try fixture.write("  from-file-token \n", to: "token")
        let config = try loadValid(arguments: ["--admin-token-file", tokenFile])
        let token = try #require(config.admin.token)
        #expect(token.matches("from-file-token"))
        #expect(!token.matches("from-file-token "))
        #expect(!token.matches("from-file"))
    }

    @Test func environmentTokenWinsOverTheFile() throws {
        let fixture = try ConfigFixture()
        let tokenFile = try fixture.write("from-file", to: "token")
        let config = try loadValid(environment: ["SEXTON_ADMIN_TOKEN": "from-env\n", "SEXTON_ADMIN_TOKEN_FILE": tokenFile])
        #expect(config.admin.token?.matches("from-env") == true)
        #expect(config.admin.token?.matches("from-file") == false)
    }

    @Test func noTokenConfigured() throws {
        #expect(try loadValid().admin.token == nil)
    }

    @Test func unreadableOrEmptyTokenIsAnError() throws {
        let fixture = try ConfigFixture()
        let missing = fixture.directory.appendingPathComponent("absent").path
        #expect(try loadInvalid(arguments: ["--admin-token-file", missing]).lines == [
            "admin.token_file: invalid value \"\(missing)\" (allowed: a readable file holding the token)",
        ])
        let empty = try fixture.write(" \n", to: "empty")
        #expect(try loadInvalid(arguments: ["--admin-token-file", empty]).issue("admin.token_file")?.allowed == "a file holding a non-empty token")
        #expect(try loadInvalid(environment: ["SEXTON_ADMIN_TOKEN": "  "]).issue("SEXTON_ADMIN_TOKEN")?.value == "")
    }

    @Test func tokenNeverAppearsInDescriptionsOrDumps() throws {
        let secret = "tok-7c1f9e2a"
        let config = try loadValid(environment: ["SEXTON_ADMIN_TOKEN": secret])
        var dumped = ""
        dump(config, to: &dumped)
        for rendering in [config.effectiveDescription(), config.description, String(reflecting: config), "\(config.admin)", dumped] {
            #expect(!rendering.contains(secret))
        }
        #expect(config.effective[path: "admin.token"] == .string("<redacted>"))
    }

    @Test func webhookHeaderValuesAreRedacted() throws {
        let fixture = try ConfigFixture()
        let config = try loadValid(file: fixture.write("""
            handlers:
              hook:
                type: webhook
                url: http://127.0.0.1:9/hook
                headers:
                  Authorization: Bearer header-secret
            """))
        #expect(!config.effectiveDescription().contains("header-secret"))
        #expect(config.effective[path: "handlers.hook.headers.Authorization"] == .string("<redacted>"))
    }

    @Test func tokenComparisonNeedsEqualLengthAndBytes() throws {
        let token = try #require(AdminToken("a"))
        #expect(token.matches("a"))
        #expect(!token.matches(""))
        #expect(!token.matches(String(repeating: "a", count: 257)))
        #expect(AdminToken("") == nil)
    }

    @Test func effectiveConfigurationUsesYAMLKeysAndPrometheusDurations() throws {
        let fixture = try ConfigFixture()
        let config = try loadValid(file: fixture.write("""
            cleanup:
              retention: 90m
              immediate_priorities: [high]
            policies:
              reindex:
                strategy: immediate
            """))
        let effective = config.effective
        #expect(effective[path: "cleanup.retention"] == .string("1h30m"))
        #expect(effective[path: "cleanup.immediate_priorities"] == .array([.int(8), .int(9)]))
        #expect(effective[path: "cleanup.custom_handler"] == .null)
        #expect(effective[path: "coordinator.staging_window"] == .string("5ms"))
        #expect(effective[path: "listen.api"] == .string("127.0.0.1:7477"))
        #expect(effective[path: "policies.reindex.strategy"] == .string("immediate"))
        #expect(effective[path: "policies.reindex.retention"] == .string("1h30m"))
        #expect(effective[path: "admin.token"] == .null)
        #expect(config.effectiveDescription().contains("\"max_zombies_per_target\" : 100"))
    }
}
