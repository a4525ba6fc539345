-- A published version is immutable: its number, code and manifest never change (a new publish
-- makes a new row). Enforced here as well as by the API having no update route, so no code
-- path (a console action, a script, a hand-written query) can swap the code under instances
-- that run it. Status, paused and changelog stay editable.
-- (The migration runner splits scripts on semicolons, so the function body spells them \073.)
CREATE OR REPLACE FUNCTION portico_integration_version_immutable() RETURNS trigger LANGUAGE plpgsql AS
E'BEGIN RAISE EXCEPTION ''integration version % is immutable: its number, code and manifest cannot change (publish a new version instead)'', OLD."id" USING ERRCODE = ''check_violation''\073 END\073'
;

CREATE TRIGGER "IntegrationVersion_immutable"
  BEFORE UPDATE ON "IntegrationVersion"
  FOR EACH ROW
  WHEN (OLD."bundle" IS DISTINCT FROM NEW."bundle"
     OR OLD."manifest" IS DISTINCT FROM NEW."manifest"
     OR OLD."sha256" IS DISTINCT FROM NEW."sha256"
     OR OLD."number" IS DISTINCT FROM NEW."number"
     OR OLD."integrationId" IS DISTINCT FROM NEW."integrationId"
     OR OLD."organizationId" IS DISTINCT FROM NEW."organizationId")
  EXECUTE FUNCTION portico_integration_version_immutable();
