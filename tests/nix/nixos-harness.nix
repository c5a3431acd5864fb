# Evaluates one generated cilium-node.nix as NixOS would, with the NixOS options it touches
# declared as nixpkgs declares them (same names, same types), and returns what the tests compare
# with the Python side. A misspelt or retyped option fails here as it would on NixOS.
#
#   nix-instantiate --eval --strict --json tests/nix/nixos-harness.nix \
#     --argstr modulePath /abs/cilium-node.nix [--argstr libPath /abs/nixpkgs/lib] \
#     [--argstr hostJSON '{"services":{"k3s":{"role":"agent"}}}'] \
#     [--argstr nodeJSON '{"openFirewall":false}']
{
  modulePath,
  libPath ? "",
  # The host's own NixOS configuration (services.k3s.enable is on unless it says otherwise).
  hostJSON ? "{}",
  # cilium.node settings beyond enable = true.
  nodeJSON ? "{}",
}:
let
  lib = if libPath == "" then import ./minilib.nix else import libPath;
  inherit (lib) mkOption types;

  # nixos/modules/services/cluster/rancher (services.k3s), nixos/modules/system/etc/etc.nix,
  # nixos/lib/systemd-unit-options.nix (restartTriggers),
  # nixos/modules/services/networking/firewall.nix, nixos/modules/system/boot/kernel.nix,
  # nixos/modules/misc/assertions.nix.
  nixos = {
    options = {
      environment.etc = mkOption {
        type = types.attrsOf (
          types.submodule {
            options = {
              enable = mkOption {
                type = types.bool;
                default = true;
              };
              text = mkOption {
                type = types.nullOr types.lines;
                default = null;
              };
            };
          }
        );
        default = { };
      };
      systemd.services = mkOption {
        type = types.attrsOf (
          types.submodule {
            options.restartTriggers = mkOption {
              type = types.listOf types.unspecified;
              default = [ ];
            };
          }
        );
        default = { };
      };
      services.k3s = {
        enable = lib.mkEnableOption "k3s";
        role = mkOption {
          type = types.enum [
            "server"
            "agent"
          ];
          default = "server";
        };
        extraFlags = mkOption {
          type = types.either types.str (types.listOf types.str);
          default = [ ];
        };
        containerdConfigTemplate = mkOption {
          type = types.nullOr types.str;
          default = null;
        };
        configPath = mkOption {
          type = types.nullOr types.path;
          default = null;
        };
        disable = mkOption {
          type = types.listOf types.str;
          default = [ ];
        };
      };
      boot.kernelModules = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
      networking.firewall = {
        allowedTCPPorts = mkOption {
          type = types.listOf types.port;
          default = [ ];
        };
        allowedUDPPorts = mkOption {
          type = types.listOf types.port;
          default = [ ];
        };
        checkReversePath = mkOption {
          type = types.either types.bool (
            types.enum [
              "strict"
              "loose"
            ]
          );
          default = true;
        };
      };
      assertions = mkOption {
        type = types.listOf types.unspecified;
        default = [ ];
      };
      warnings = mkOption {
        type = types.listOf types.str;
        default = [ ];
      };
    };
  };

  host = {
    config = lib.recursiveUpdate { services.k3s.enable = true; } (builtins.fromJSON hostJSON);
  };
  node = {
    config.cilium.node = {
      enable = true;
    }
    // builtins.fromJSON nodeJSON;
  };

  c =
    (lib.evalModules {
      modules = [
        (/. + modulePath)
        nixos
        host
        node
      ];
    }).config;
  dropIns = lib.filterAttrs (name: file: lib.hasPrefix "rancher/k3s/config.yaml.d/" name) c.environment.etc;
in
{
  extraFlags = c.services.k3s.extraFlags;
  # The k3s config drop-ins the host has, by file name (YAML here is JSON), and the k3s
  # service's restart triggers.
  k3sConfig = builtins.mapAttrs (name: file: builtins.fromJSON file.text) dropIns;
  restartTriggers = c.systemd.services.k3s.restartTriggers or [ ];
  kernelModules = c.boot.kernelModules;
  tcp = c.networking.firewall.allowedTCPPorts;
  udp = c.networking.firewall.allowedUDPPorts;
  checkReversePath = c.networking.firewall.checkReversePath;
  failedAssertions = map (a: a.message) (builtins.filter (a: !a.assertion) c.assertions);
  warnings = c.warnings;
  cni = {
    inherit (c.cilium.node.cni) binPath confPath;
  };
  switches = {
    inherit (c.cilium.node)
      disableServiceLB
      disableTraefik
      openFirewall
      looseReversePath
      ;
  };
}
