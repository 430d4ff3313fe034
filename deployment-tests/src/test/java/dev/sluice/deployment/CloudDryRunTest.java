package dev.sluice.deployment;

import static dev.sluice.deployment.Proc.script;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The cloud scripts can't reach AWS or Google Cloud from a test: their --dry-run output, the exact
 * CLI calls, is what is checked here, with the templates they deploy.
 */
class CloudDryRunTest {
  static final String REPO = Proc.REPO.toString();
  static final String VERSION = "0.1.0-SNAPSHOT";
  static final Pattern REVISION = Pattern.compile("-Dsluice\\.image\\.revision=([0-9a-f]{40}|unknown) ");

  /** Lines of the dry run, with the git revision (it changes with every commit) made fixed. */
  private static List<String> lines(Proc p) {
    assertThat(p.exitCode).as(p.describe()).isZero();
    assertThat(p.err).as(p.describe()).isEmpty();
    return p.lines().stream()
        .map(l -> REVISION.matcher(l).replaceAll("-Dsluice.image.revision=REV "))
        .collect(Collectors.toList());
  }

  @Test
  void awsDryRunPrintsEveryCall() throws Exception {
    Proc p = Proc.run(script("deploy-aws.sh"), "--dry-run", "--region", "eu-west-1", "--vpc-id", "vpc-0abc",
        "--subnets", "subnet-01,subnet-02", "--lb-subnets", "subnet-03,subnet-04", "--account-id", "123456789012",
        "--tag", "1.2.3", "--desired-count", "3");
    String config = Base64.getEncoder().encodeToString(Files.readAllBytes(Proc.REPO.resolve("deploy/aws/sluice.yaml")));
    String image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sluice:1.2.3";
    assertThat(lines(p)).containsExactly(
        "+ aws ecr describe-repositories --repository-names sluice --region eu-west-1",
        "# only when the repository does not exist:",
        "+ aws ecr create-repository --repository-name sluice --region eu-west-1 --image-tag-mutability IMMUTABLE"
            + " --image-scanning-configuration scanOnPush=true",
        "+ " + REPO + "/scripts/docker-build.sh --push --image " + image + " --maven-arg -Djib.to.credHelper=ecr-login --dry-run",
        "  + mvn -B -pl cli -am -DskipTests package -Djib.to.credHelper=ecr-login -Pjib -Dsluice.image=" + image
            + " -Dsluice.image.revision=REV -Djib.disableUpdateChecks=true -Djib.containerize=dev.sluice:sluice-cli"
            + " com.google.cloud.tools:jib-maven-plugin:3.5.2:build",
        "+ aws cloudformation validate-template --template-body file://" + REPO + "/deploy/aws/sluice.cfn.yaml --region eu-west-1",
        "+ aws cloudformation deploy --region eu-west-1 --stack-name sluice --template-file " + REPO
            + "/deploy/aws/sluice.cfn.yaml --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset"
            + " --parameter-overrides ImageUri=" + image + " VpcId=vpc-0abc SubnetIds=subnet-01,subnet-02"
            + " LoadBalancerSubnetIds=subnet-03,subnet-04 LoadBalancerScheme=internal AllowedCidr=10.0.0.0/8"
            + " DesiredCount=3 ConfigBase64=" + config,
        "+ aws cloudformation describe-stacks --region eu-west-1 --stack-name sluice --query 'Stacks[0].Outputs' --output table");
  }

  @Test
  void awsDryRunWithAnExistingImageAndNoAccountId() {
    Proc p = Proc.run(script("deploy-aws.sh"), "--dry-run", "--region", "us-east-1", "--vpc-id", "vpc-1",
        "--subnets", "subnet-a,subnet-b", "--lb-subnets", "subnet-c,subnet-d",
        "--image-uri", "111122223333.dkr.ecr.us-east-1.amazonaws.com/sluice:0.9.0", "--stack-name", "sluice-prod");
    List<String> lines = lines(p);
    assertThat(lines.get(0)).isEqualTo("+ aws sts get-caller-identity --query Account --output text");
    assertThat(lines).noneMatch(l -> l.contains("ecr ") || l.contains("docker-build.sh"));
    assertThat(lines).anyMatch(l -> l.startsWith("+ aws cloudformation deploy --region us-east-1 --stack-name sluice-prod ")
        && l.contains(" ImageUri=111122223333.dkr.ecr.us-east-1.amazonaws.com/sluice:0.9.0 "));
  }

  @Test
  void awsRefusesLatestAndBadIds() {
    Proc latest = Proc.run(script("deploy-aws.sh"), "--dry-run", "--region", "eu-west-1", "--vpc-id", "vpc-0abc",
        "--subnets", "subnet-01,subnet-02", "--lb-subnets", "subnet-03,subnet-04", "--tag", "latest");
    assertThat(latest.exitCode).isEqualTo(2);
    assertThat(latest.err).contains("--tag latest is not allowed");
    Proc oneSubnet = Proc.run(script("deploy-aws.sh"), "--dry-run", "--region", "eu-west-1", "--vpc-id", "vpc-0abc",
        "--subnets", "subnet-01", "--lb-subnets", "subnet-03,subnet-04");
    assertThat(oneSubnet.exitCode).isEqualTo(2);
    assertThat(oneSubnet.err).contains("--subnets needs two or more subnet-... ids").contains("'subnet-01'");
    Proc missing = Proc.run(script("deploy-aws.sh"), "--dry-run", "--vpc-id", "vpc-0abc");
    assertThat(missing.exitCode).isEqualTo(2);
    assertThat(missing.err).contains("--region is required");
  }

  @Test
  void cloudFormationTemplateHasTheServiceTheDatabaseAndNoSecretValues() throws Exception {
    // CloudFormation's short tags (!Ref, !Sub, !GetAtt) are custom YAML tags: read them as plain values.
    String text = Files.readString(Proc.REPO.resolve("deploy/aws/sluice.cfn.yaml"))
        .replaceAll("!(Ref|Sub|GetAtt) ", "");
    JsonNode t = new ObjectMapper(new YAMLFactory()).readTree(text);
    assertThat(t.path("AWSTemplateFormatVersion").asText()).isEqualTo("2010-09-09");
    JsonNode r = t.path("Resources");
    assertThat(r.path("Database").path("Type").asText()).isEqualTo("AWS::RDS::DBInstance");
    assertThat(r.path("Database").path("Properties").path("Engine").asText()).isEqualTo("postgres");
    assertThat(r.path("Database").path("Properties").path("StorageEncrypted").asBoolean()).isTrue();
    assertThat(r.path("Database").path("Properties").path("PubliclyAccessible").asBoolean(true)).isFalse();
    assertThat(r.path("Database").path("Properties").path("MasterUserPassword").asText()).startsWith("{{resolve:secretsmanager:");
    assertThat(r.path("Service").path("Properties").path("LaunchType").asText()).isEqualTo("FARGATE");
    assertThat(r.path("TargetGroup").path("Properties").path("HealthCheckPath").asText()).isEqualTo("/health/ready");
    JsonNode containers = r.path("TaskDefinition").path("Properties").path("ContainerDefinitions");
    JsonNode sluice = containers.get(1);
    assertThat(sluice.path("Name").asText()).isEqualTo("sluice");
    assertThat(sluice.path("User").asText()).isEqualTo("10001:10001");
    assertThat(sluice.path("ReadonlyRootFilesystem").asBoolean()).isTrue();
    assertThat(sluice.path("Command").toString()).isEqualTo("[\"serve\",\"--config\",\"/config/sluice.yaml\",\"--port\",\"8080\"]");
    assertThat(sluice.path("Secrets").findValuesAsText("Name"))
        .containsExactlyInAnyOrder("SLUICE_DB_USER", "SLUICE_DB_PASSWORD", "SLUICE_MASTER_KEY");
    assertThat(containers.get(0).path("Image").asText()).doesNotEndWith(":latest").contains(":");
    // Passwords are generated by Secrets Manager, never template parameters.
    assertThat(t.path("Parameters").fieldNames()).toIterable().noneMatch(n -> n.toLowerCase().contains("password"));
    // Every !Ref names a parameter or a resource of the template (or a pseudo parameter).
    var names = new java.util.HashSet<String>();
    t.path("Parameters").fieldNames().forEachRemaining(names::add);
    r.fieldNames().forEachRemaining(names::add);
    var refs = Pattern.compile("!Ref ([A-Za-z0-9:]+)").matcher(Files.readString(Proc.REPO.resolve("deploy/aws/sluice.cfn.yaml")));
    int count = 0;
    while (refs.find()) {
      count++;
      assertThat(refs.group(1)).matches(n -> names.contains(n) || n.startsWith("AWS::"), "a known name");
    }
    assertThat(count).isGreaterThan(10);
  }

  @Test
  void gcpDryRunPrintsEveryCallAndTheFilledInService() throws Exception {
    Proc p = Proc.run(script("deploy-gcp.sh"), "--dry-run", "--project", "acme-data-prod", "--region", "europe-west1",
        "--tag", "1.2.3", "--min-instances", "2", "--max-instances", "5");
    List<String> lines = lines(p);
    String image = "europe-west1-docker.pkg.dev/acme-data-prod/sluice/sluice:1.2.3";
    String sa = "sluice-run@acme-data-prod.iam.gserviceaccount.com";
    int yamlStart = lines.indexOf("# the service definition (deploy/gcp/service.yaml filled in):");
    assertThat(yamlStart).isPositive();
    assertThat(lines.subList(0, yamlStart)).containsExactly(
        "+ gcloud services enable run.googleapis.com sqladmin.googleapis.com artifactregistry.googleapis.com"
            + " secretmanager.googleapis.com servicenetworking.googleapis.com --project acme-data-prod",
        "+ gcloud artifacts repositories describe sluice --location europe-west1 --project acme-data-prod",
        "# only when missing:",
        "+ gcloud artifacts repositories create sluice --repository-format docker --location europe-west1"
            + " --project acme-data-prod --description 'Sluice images'",
        "+ " + REPO + "/scripts/docker-build.sh --push --image " + image + " --maven-arg -Djib.to.credHelper=gcloud --dry-run",
        "  + mvn -B -pl cli -am -DskipTests package -Djib.to.credHelper=gcloud -Pjib -Dsluice.image=" + image
            + " -Dsluice.image.revision=REV -Djib.disableUpdateChecks=true -Djib.containerize=dev.sluice:sluice-cli"
            + " com.google.cloud.tools:jib-maven-plugin:3.5.2:build",
        "+ gcloud sql instances describe sluice-db --project acme-data-prod",
        "# only when missing:",
        "+ gcloud sql instances create sluice-db --project acme-data-prod --region europe-west1 --database-version"
            + " POSTGRES_16 --tier db-custom-1-3840 --network projects/acme-data-prod/global/networks/default"
            + " --no-assign-ip --storage-auto-increase --backup-start-time 03:00 --enable-point-in-time-recovery",
        "+ gcloud sql databases describe sluice --instance sluice-db --project acme-data-prod",
        "# only when missing:",
        "+ gcloud sql databases create sluice --instance sluice-db --project acme-data-prod",
        "+ gcloud secrets describe sluice-db-password --project acme-data-prod",
        "# only when missing (the value is generated: openssl rand -base64 32):",
        "+ gcloud secrets create sluice-db-password --project acme-data-prod --replication-policy automatic --data-file=-",
        "+ gcloud sql users list --instance sluice-db --project acme-data-prod --filter name=sluice --format 'value(name)'",
        "# only when missing (the password is read from the secret sluice-db-password):",
        "+ gcloud sql users create sluice --instance sluice-db --project acme-data-prod --password '****'",
        "+ gcloud secrets describe sluice-master-key --project acme-data-prod",
        "# only when missing (the value is generated: openssl rand -base64 32):",
        "+ gcloud secrets create sluice-master-key --project acme-data-prod --replication-policy automatic --data-file=-",
        "+ gcloud secrets describe sluice-config --project acme-data-prod",
        "# only when missing:",
        "+ gcloud secrets create sluice-config --project acme-data-prod --replication-policy automatic",
        "+ gcloud secrets versions add sluice-config --project acme-data-prod --data-file " + REPO + "/deploy/gcp/sluice.yaml",
        "+ gcloud iam service-accounts describe " + sa + " --project acme-data-prod",
        "# only when missing:",
        "+ gcloud iam service-accounts create sluice-run --project acme-data-prod --display-name 'Sluice on Cloud Run'",
        "+ gcloud secrets add-iam-policy-binding sluice-db-password --project acme-data-prod --member serviceAccount:" + sa
            + " --role roles/secretmanager.secretAccessor",
        "+ gcloud secrets add-iam-policy-binding sluice-master-key --project acme-data-prod --member serviceAccount:" + sa
            + " --role roles/secretmanager.secretAccessor",
        "+ gcloud secrets add-iam-policy-binding sluice-config --project acme-data-prod --member serviceAccount:" + sa
            + " --role roles/secretmanager.secretAccessor",
        "+ gcloud projects add-iam-policy-binding acme-data-prod --member serviceAccount:" + sa
            + " --role roles/cloudsql.client --condition None",
        "+ gcloud sql instances describe sluice-db --project acme-data-prod --format 'value(ipAddresses[0].ipAddress)'");
    assertThat(lines.subList(lines.size() - 2, lines.size())).containsExactly(
        "+ gcloud run services replace service.yaml --region europe-west1 --project acme-data-prod",
        "+ gcloud run services describe sluice --region europe-west1 --project acme-data-prod --format 'value(status.url)'");

    String yaml = lines.subList(yamlStart + 1, lines.size() - 2).stream()
        .map(l -> l.substring(4)).collect(Collectors.joining("\n"));
    JsonNode service = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    assertThat(service.path("kind").asText()).isEqualTo("Service");
    assertThat(service.path("metadata").path("name").asText()).isEqualTo("sluice");
    JsonNode annotations = service.path("spec").path("template").path("metadata").path("annotations");
    assertThat(annotations.path("autoscaling.knative.dev/minScale").asText()).isEqualTo("2");
    assertThat(annotations.path("autoscaling.knative.dev/maxScale").asText()).isEqualTo("5");
    assertThat(annotations.path("run.googleapis.com/cpu-throttling").asText()).isEqualTo("false");
    JsonNode container = service.path("spec").path("template").path("spec").path("containers").get(0);
    assertThat(container.path("image").asText()).isEqualTo(image);
    assertThat(container.path("args").toString()).isEqualTo("[\"serve\",\"--config\",\"/config/sluice.yaml\",\"--port\",\"8080\"]");
    assertThat(container.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
    assertThat(container.path("env").findValuesAsText("value")).contains("jdbc:postgresql://DB_PRIVATE_IP:5432/sluice");
    assertThat(yaml.lines().filter(l -> !l.startsWith("#"))).noneMatch(l -> l.contains("${"));
  }

  @Test
  void gcpRefusesZeroMinInstancesAndLatest() {
    Proc zero = Proc.run(script("deploy-gcp.sh"), "--dry-run", "--project", "acme-data-prod", "--region", "europe-west1",
        "--min-instances", "0");
    assertThat(zero.exitCode).isEqualTo(2);
    assertThat(zero.err).contains("--min-instances must be 1 or more");
    Proc latest = Proc.run(script("deploy-gcp.sh"), "--dry-run", "--project", "acme-data-prod", "--region", "europe-west1",
        "--image", "europe-west1-docker.pkg.dev/acme-data-prod/sluice/sluice:latest");
    assertThat(latest.exitCode).isEqualTo(2);
    assertThat(latest.err).contains("--image needs a version tag or a digest");
  }

  @Test
  void dockerBuildDryRuns() {
    Proc jib = Proc.run(script("docker-build.sh"), "--dry-run", "--revision", "abc123");
    assertThat(lines(jib)).containsExactly(
        "+ mvn -B -pl cli -am -DskipTests package -Pjib -Dsluice.image=sluice:" + VERSION
            + " -Dsluice.image.revision=abc123 -Djib.disableUpdateChecks=true -Djib.containerize=dev.sluice:sluice-cli"
            + " com.google.cloud.tools:jib-maven-plugin:3.5.2:buildTar");

    Proc push = Proc.run(script("docker-build.sh"), "--dry-run", "--revision", "abc123", "--push", "--skip-package",
        "--image", "registry.example.com/team/sluice:2.0.0", "--base", "eclipse-temurin:17.0.15_6-jre-alpine");
    assertThat(lines(push)).containsExactly(
        "+ mvn -B -pl cli -Pjib -Dsluice.image=registry.example.com/team/sluice:2.0.0 -Dsluice.image.revision=abc123"
            + " -Djib.disableUpdateChecks=true -Dsluice.image.base=eclipse-temurin:17.0.15_6-jre-alpine"
            + " -Djib.containerize=dev.sluice:sluice-cli com.google.cloud.tools:jib-maven-plugin:3.5.2:build");

    Proc docker = Proc.run(script("docker-build.sh"), "--dry-run", "--docker", "--revision", "abc123", "--push",
        "--image", "registry.example.com/sluice:2.0.0");
    assertThat(lines(docker)).containsExactly(
        "+ mvn -B -pl cli -am -DskipTests package",
        "+ docker build --file Dockerfile --tag registry.example.com/sluice:2.0.0 --build-arg VERSION=" + VERSION
            + " --build-arg REVISION=abc123 .",
        "+ docker push registry.example.com/sluice:2.0.0");
  }

  @Test
  void dockerBuildRefusesLatestAndUntaggedImages() {
    Proc latest = Proc.run(script("docker-build.sh"), "--dry-run", "--image", "sluice:latest");
    assertThat(latest.exitCode).isEqualTo(2);
    assertThat(latest.err).contains("use a version tag, not latest");
    Proc untagged = Proc.run(script("docker-build.sh"), "--dry-run", "--image", "registry.example.com:5000/sluice");
    assertThat(untagged.exitCode).isEqualTo(2);
    assertThat(untagged.err).contains("--image needs a tag");
    Proc both = Proc.run(script("docker-build.sh"), "--dry-run", "--docker", "--local-runtime");
    assertThat(both.exitCode).isEqualTo(2);
  }

  @Test
  void cloudConfigurationsAreValidForTheCli(@org.junit.jupiter.api.io.TempDir Path dir) {
    for (String file : List.of("deploy/aws/sluice.yaml", "deploy/gcp/sluice.yaml")) {
      Proc p = Proc.run(java.util.Map.of("SLUICE_DB_URL", "jdbc:postgresql://db.internal:5432/sluice",
              "SLUICE_DB_USER", "sluice", "SLUICE_DB_PASSWORD", "pw-" + System.nanoTime(),
              "SLUICE_MASTER_KEY", "key-" + System.nanoTime()),
          dir, 120, Proc.java(), "-jar", Proc.sluiceJar().toString(), "validate", "-c", Proc.REPO.resolve(file).toString());
      assertThat(p.exitCode).as(p.describe()).isZero();
      assertThat(p.out).contains("OK: ");
    }
    assertThat(StandardCharsets.UTF_8).isNotNull();
  }
}
